using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HomeService.Domain.Orders;
using HomeService.Functions.Booking;
using HomeService.Functions.Dispatch;
using HomeService.Functions.Tests.Booking;
using HomeService.Functions.Tests.Support;
using HomeService.Functions.Tests.Uploads;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Internal;

namespace HomeService.Functions.Tests.Dispatch;

/// <summary>
/// An address a worker can use, and privacy before acceptance (issue 14 #2): the order freezes a copy of the address at
/// booking; before accepting, an offered or pool worker sees the district and the distance only; once the order is theirs
/// and until the service is done, the contact, street, point and notes, with the phone as a privacy number.
/// </summary>
[Collection(DispatchCollection.Name)]
public sealed class AddressPrivacyTests(DispatchFactory factory)
{
    private const string RealPhone = "13812345678";
    private const string DoorCode = "门禁码 4321#，请勿按门铃";

    private static async Task<TestCustomer> CustomerInJingAnAsync(DispatchWorld world)
    {
        var client = await world.Factory.NewCustomerAsync();
        var address = await (await (await client.PostAsJsonAsync("/api/customer/addresses", new
        {
            contactName = "王女士", contactPhone = RealPhone, cityId = world.CityId, district = "静安区", detail = "南京西路 1 号 3 单元 502",
            latitude = BookingWorld.Center.Lat, longitude = BookingWorld.Center.Lng,
        })).EnsureStatusAsync(HttpStatusCode.Created)).ReadJsonAsync();
        return new TestCustomer(client, address.GetProperty("id").GetString()!);
    }


    private static async Task<OrderView> BookWithNotesAsync(DispatchWorld world, TestCustomer customer)
    {
        var response = await BookingWorld.BookAsync(customer.Client, world.Booking.Body(customer, world.Booking.At(1, 10), notes: DoorCode));
        return await (await response.EnsureStatusAsync(HttpStatusCode.Created)).ReadAsync<OrderView>();
    }

    private static void AssertNoAddress(JsonElement view, string text)
    {
        foreach (var hidden in new[] { "latitude", "longitude", "navigationUrl", "notes", "contact" })
        {
            Assert.True(!view.TryGetProperty(hidden, out var value) || value.ValueKind == JsonValueKind.Null, $"{hidden} is shown: {value}");
        }

        Assert.DoesNotContain(RealPhone, text);
        Assert.DoesNotContain("南京西路", text);
        Assert.DoesNotContain("4321", text);
    }

    [Fact]
    public async Task An_offered_worker_sees_district_and_distance_the_accepted_one_the_frozen_address_with_a_privacy_number_until_the_service_is_done()
    {
        factory.NotBehindRealTime();
        var world = await DispatchWorld.StartAsync(factory, DispatchMode.AutoAssign, visit: new VisitPolicy(EarliestMinutesBeforeStart: 2 * 24 * 60));
        var worker = await world.WorkerAsync(km: 2);
        var customer = await CustomerInJingAnAsync(world);
        var order = await BookWithNotesAsync(world, customer);
        await world.PayAsync(order.Id);
        await world.DeliverAsync();
        Assert.Equal(worker.Id, (await world.OrderAsync(order.Id)).State.OfferedToWorkerId);

        // The customer edits and then deletes the address: the order keeps what was booked.
        var current = await (await customer.Client.GetAsync($"/api/customer/addresses/{customer.AddressId}")).EnsureStatusAsync(HttpStatusCode.OK);
        var edit = new HttpRequestMessage(HttpMethod.Put, $"/api/customer/addresses/{customer.AddressId}")
        {
            Content = JsonContent.Create(new
            {
                contactName = "李先生", contactPhone = "13900001111", cityId = world.CityId, district = "徐汇区", detail = "漕溪北路 88 号",
                latitude = 31.19, longitude = 121.43,
            }),
        }.WithIfMatch(current.Headers.ETag!.Tag);
        var edited = await (await customer.Client.SendAsync(edit)).EnsureStatusAsync(HttpStatusCode.OK);
        var delete = new HttpRequestMessage(HttpMethod.Delete, $"/api/customer/addresses/{customer.AddressId}").WithIfMatch(edited.Headers.ETag!.Tag);
        await (await customer.Client.SendAsync(delete)).EnsureStatusAsync(HttpStatusCode.NoContent);
        var mine = await (await (await customer.Client.GetAsync($"/api/customer/orders/{order.Id}")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        var frozen = mine.GetProperty("address");
        Assert.Equal(("王女士", "+86" + RealPhone, "静安区", "南京西路 1 号 3 单元 502"), (frozen.GetProperty("contactName").GetString(),
            frozen.GetProperty("contactPhone").GetString(), frozen.GetProperty("district").GetString(), frozen.GetProperty("detail").GetString()));

        // Offered, not accepted: the worker's detail, list and action answers name the district and the distance only.
        var detail = await (await worker.Client.GetAsync($"/api/worker/orders/{order.Id}")).EnsureStatusAsync(HttpStatusCode.OK);
        var detailText = await detail.Content.ReadAsStringAsync();
        var offered = JsonDocument.Parse(detailText).RootElement;
        Assert.Equal(("静安区", 2.0, true), (offered.GetProperty("district").GetString(), offered.GetProperty("distanceKm").GetDouble(), offered.GetProperty("offeredToMe").GetBoolean()));
        AssertNoAddress(offered, detailText);
        // The worker's view, not the customer's: no price, no address id.
        Assert.False(offered.TryGetProperty("price", out _));
        Assert.False(offered.TryGetProperty("addressId", out _));
        var listText = await (await worker.Client.GetAsync("/api/worker/orders?status=offered")).Content.ReadAsStringAsync();
        AssertNoAddress(JsonDocument.Parse(listText).RootElement.GetProperty("items").EnumerateArray().Single(o => o.GetProperty("id").GetString() == order.Id), listText);

        // Accepted: the frozen address, the customer's notes, and a privacy number instead of the phone.
        var acceptedText = await (await (await worker.Client.PostAsync($"/api/worker/orders/{order.Id}/accept", null)).EnsureStatusAsync(HttpStatusCode.OK)).Content.ReadAsStringAsync();
        var accepted = JsonDocument.Parse(acceptedText).RootElement;
        Assert.DoesNotContain(RealPhone, acceptedText);
        var contact = accepted.GetProperty("contact");
        Assert.Equal(("王女士", "南京西路 1 号 3 单元 502", false), (contact.GetProperty("contactName").GetString(), contact.GetProperty("detail").GetString(),
            contact.GetProperty("phoneMasked").GetBoolean()));
        Assert.Equal(SandboxPrivacyNumbers.NumberFor(order.Id, worker.Id), contact.GetProperty("phone").GetString());
        Assert.StartsWith("+86170", contact.GetProperty("phone").GetString());
        Assert.Equal(order.End.AddHours(2), contact.GetProperty("phoneValidUntil").GetDateTimeOffset());
        Assert.Equal((DoorCode, BookingWorld.Center.Lat), (accepted.GetProperty("notes").GetString(), accepted.GetProperty("latitude").GetDouble()));
        // The binding is kept where the privacy-number service keeps it, and points at the customer's real phone.
        var binding = (await world.Booking.Db.System.ReadItemAsync<SandboxPrivacyBindingDocument>(
            SandboxPrivacyBindingDocument.IdFor(order.Id, worker.Id), new Microsoft.Azure.Cosmos.PartitionKey(SandboxPrivacyBindingDocument.IdFor(order.Id, worker.Id)))).Resource;
        Assert.Equal(("+86" + RealPhone, contact.GetProperty("phone").GetString()), (binding.CustomerPhone, binding.Number));
        // The same number on every read.
        var again = await (await worker.Client.GetAsync($"/api/worker/orders/{order.Id}")).ReadJsonAsync();
        Assert.Equal(contact.GetProperty("phone").GetString(), again.GetProperty("contact").GetProperty("phone").GetString());

        // Once the service is done, the contact is gone again.
        var door = new { latitude = BookingWorld.Center.Lat, longitude = BookingWorld.Center.Lng };
        await (await worker.Client.PostAsJsonAsync($"/api/worker/orders/{order.Id}/arrived", door)).EnsureStatusAsync(HttpStatusCode.OK);
        await (await worker.Client.PostAsJsonAsync($"/api/worker/orders/{order.Id}/start", door)).EnsureStatusAsync(HttpStatusCode.OK);
        var photo = await UploadFiles.UploadAsync(worker.Client, "completion-photo");
        var doneText = await (await (await worker.Client.PostAsJsonAsync($"/api/worker/orders/{order.Id}/complete",
            new { photoUploadIds = new[] { photo }, door.latitude, door.longitude })).EnsureStatusAsync(HttpStatusCode.OK)).Content.ReadAsStringAsync();
        var done = JsonDocument.Parse(doneText).RootElement;
        Assert.Equal("completed", done.GetProperty("status").GetString());
        AssertNoAddress(done, doneText);
        Assert.Equal("静安区", done.GetProperty("district").GetString());
    }

    [Fact]
    public async Task A_grab_pool_worker_sees_district_and_distance_only()
    {
        var world = await DispatchWorld.StartAsync(factory, DispatchMode.GrabPool);
        var worker = await world.WorkerAsync(km: 3);
        var customer = await CustomerInJingAnAsync(world);
        var order = await BookWithNotesAsync(world, customer);
        await world.PayAsync(order.Id);
        await world.DeliverAsync();

        var text = await (await (await worker.Client.GetAsync("/api/worker/pool?pageSize=50")).EnsureStatusAsync(HttpStatusCode.OK)).Content.ReadAsStringAsync();
        var listed = JsonDocument.Parse(text).RootElement.GetProperty("items").EnumerateArray().Single(o => o.GetProperty("id").GetString() == order.Id);
        Assert.Equal(("静安区", 3.0), (listed.GetProperty("district").GetString(), listed.GetProperty("distanceKm").GetDouble()));
        AssertNoAddress(listed, text);

        var grabbed = await (await (await worker.Client.PostAsync($"/api/worker/pool/{order.Id}/grab", null)).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal("南京西路 1 号 3 单元 502", grabbed.GetProperty("contact").GetProperty("detail").GetString());
    }

    [Fact]
    public void Without_a_privacy_number_service_the_phone_is_masked_and_the_sandbox_is_refused_outside_development()
    {
        Assert.Equal("138****5678", WorkerOrderView.MaskPhone("+8613812345678"));
        var production = new HostingEnvironment { EnvironmentName = "Production" };
        var empty = new ConfigurationBuilder().Build();
        var services = new ServiceCollection().AddPrivacyNumbers(empty, production);
        Assert.Contains(services, d => d.ServiceType == typeof(IPrivacyNumbers) && d.ImplementationType == typeof(MaskedPhoneNumbers));
        var sandbox = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["PrivacyNumbers:Provider"] = "Sandbox" }).Build();
        Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddPrivacyNumbers(sandbox, production));
        var development = new HostingEnvironment { EnvironmentName = "Development" };
        Assert.Contains(new ServiceCollection().AddPrivacyNumbers(empty, development), d => d.ImplementationType == typeof(SandboxPrivacyNumbers));
    }
}
