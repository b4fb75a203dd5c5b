using System.Net;
using System.Net.Http.Json;
using HomeService.Functions.Tests.Support;
using HomeService.Functions.Tests.Uploads;
using HomeService.Functions.Tests.Workers;

namespace HomeService.Functions.Tests.Merchants;

[Collection(ApiCollection.Name)]
public sealed class MerchantStaffTests(ApiFactory factory)
{
    private Task<(Person Owner, string MerchantId)> RegisteredMerchantAsync(string name) => factory.RegisteredMerchantAsync(name);

    private Task<(Person Owner, string MerchantId)> ApprovedMerchantAsync(string name) => factory.ApprovedMerchantAsync(name);

    private static async Task<string> InviteAsync(Person owner)
    {
        var (code, expiresAt) = await owner.InviteAsync();
        Assert.InRange(expiresAt - DateTimeOffset.UtcNow, TimeSpan.FromDays(6.9), TimeSpan.FromDays(7));
        return code;
    }

    [Fact]
    public async Task A_merchant_invites_a_worker_lists_and_removes_them_and_another_merchant_cannot_touch_its_staff()
    {
        var (owner, merchantId) = await ApprovedMerchantAsync("洁净家政");
        var (rival, _) = await ApprovedMerchantAsync("闪亮保洁");
        var worker = await factory.RegisteredWorkerAsync();

        var code = await InviteAsync(owner);
        var joined = await (await (await worker.Client.PostAsJsonAsync("/api/worker/merchant/join", new { code = code.ToLowerInvariant() }))
            .EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal(merchantId, joined.GetProperty("merchantId").GetString());
        // Joining the same merchant again changes nothing; joining another one is refused.
        await (await worker.Client.PostAsJsonAsync("/api/worker/merchant/join", new { code })).EnsureStatusAsync(HttpStatusCode.OK);
        var rivalCode = await InviteAsync(rival);
        var second = await worker.Client.PostAsJsonAsync("/api/worker/merchant/join", new { code = rivalCode });
        Assert.Equal("already_in_merchant", (await (await second.EnsureStatusAsync(HttpStatusCode.Conflict)).ReadJsonAsync()).GetProperty("code").GetString());

        var staff = await (await (await owner.Client.GetAsync("/api/merchant/staff")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        var member = Assert.Single(staff.EnumerateArray());
        Assert.Equal(worker.UserId, member.GetProperty("workerId").GetString());
        Assert.False(member.TryGetProperty("idNumberMasked", out _));

        Assert.Empty((await (await rival.Client.GetAsync("/api/merchant/staff")).ReadJsonAsync()).EnumerateArray());
        await (await rival.Client.DeleteAsync($"/api/merchant/staff/{worker.UserId}")).EnsureStatusAsync(HttpStatusCode.NotFound);
        Assert.Equal(merchantId, (await worker.ProfileAsync()).Profile.GetProperty("merchantId").GetString());

        await (await owner.Client.DeleteAsync($"/api/merchant/staff/{worker.UserId}")).EnsureStatusAsync(HttpStatusCode.NoContent);
        Assert.Empty((await (await owner.Client.GetAsync("/api/merchant/staff")).ReadJsonAsync()).EnumerateArray());
        Assert.False((await worker.ProfileAsync()).Profile.TryGetProperty("merchantId", out _));
        await (await owner.Client.DeleteAsync($"/api/merchant/staff/{worker.UserId}")).EnsureStatusAsync(HttpStatusCode.NotFound);

        // Now free, the worker can join the other merchant.
        await (await worker.Client.PostAsJsonAsync("/api/worker/merchant/join", new { code = rivalCode })).EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Only_an_approved_merchant_can_invite_and_a_wrong_code_is_a_field_error()
    {
        var (owner, merchantId) = await RegisteredMerchantAsync("新店");
        var invite = await owner.Client.PostAsync("/api/merchant/staff/invites", null);
        Assert.Equal("registered", (await (await invite.EnsureStatusAsync(HttpStatusCode.Conflict)).ReadJsonAsync()).GetProperty("currentStatus").GetString());

        var worker = await factory.RegisteredWorkerAsync();
        var wrong = await worker.Client.PostAsJsonAsync("/api/worker/merchant/join", new { code = "ZZZZ2222" });
        Assert.Equal(["invite_invalid"], (await (await wrong.EnsureStatusAsync(HttpStatusCode.BadRequest)).ReadJsonAsync()).FieldCodes("code"));

        var admin = await factory.AdminAsync();
        var early = await admin.DecideAsync("merchants", merchantId, "approve");
        Assert.Equal("registered", (await (await early.EnsureStatusAsync(HttpStatusCode.Conflict)).ReadJsonAsync()).GetProperty("currentStatus").GetString());
        await (await owner.Client.PostAsync("/api/merchant/application/submit", null)).EnsureStatusAsync(HttpStatusCode.OK);
        await (await admin.DecideAsync("merchants", merchantId, "reject", "营业执照过期")).EnsureStatusAsync(HttpStatusCode.OK);
        var profile = await (await owner.Client.GetAsync("/api/merchant/profile")).ReadJsonAsync();
        Assert.Equal("rejected", profile.GetProperty("status").GetString());
        Assert.Equal("营业执照过期", profile.GetProperty("rejectionReason").GetString());
    }

    [Fact]
    public async Task A_merchant_registers_without_a_body_like_a_worker_and_fills_in_the_profile_before_submitting()
    {
        // Issue 14 #13: worker registration takes no body; merchant registration demanded one.
        var person = await factory.PersonAsync();
        var bare = await (await (await person.Client.PostAsync("/api/merchant/registration", null)).EnsureStatusAsync(HttpStatusCode.Created)).ReadJsonAsync();
        Assert.Equal("registered", bare.GetProperty("status").GetString());
        await person.RefreshAsync();

        // Submitting an empty profile names what the audit needs.
        var early = await (await (await person.Client.PostAsync("/api/merchant/application/submit", null)).EnsureStatusAsync(HttpStatusCode.BadRequest)).ReadJsonAsync();
        foreach (var field in new[] { "name", "licenceNumber", "contactName", "contactPhone", "cityId", "address", "location", "licenceUploadId" })
        {
            Assert.True(early.GetProperty("fieldCodes").TryGetProperty(field, out _), field);
        }

        var (cityId, _) = await factory.CityWithItemAsync();
        var licence = await UploadFiles.UploadAsync(person.Client, "business-licence", "application/pdf");
        var profile = await (await person.Client.GetAsync("/api/merchant/profile")).EnsureStatusAsync(HttpStatusCode.OK);
        var put = new HttpRequestMessage(HttpMethod.Put, "/api/merchant/profile")
        {
            Content = JsonContent.Create(new
            {
                name = "洁净家政", licenceNumber = "91310000MA1FL0002X", contactName = "陈经理", contactPhone = "13912345678", cityId,
                address = "静安区南京西路 100 号", location = new { latitude = 31.23, longitude = 121.46 }, licenceUploadId = licence,
            }),
        };
        put.Headers.IfMatch.Add(profile.Headers.ETag!);
        await (await person.Client.SendAsync(put)).EnsureStatusAsync(HttpStatusCode.OK);
        var submitted = await (await (await person.Client.PostAsync("/api/merchant/application/submit", null)).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal("submitted", submitted.GetProperty("status").GetString());
        // Registering twice is still a conflict.
        await (await person.Client.PostAsync("/api/merchant/registration", null)).EnsureStatusAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Merchant_registration_validates_fields_and_the_licence_upload()
    {
        var person = await factory.PersonAsync();
        var photo = await UploadFiles.UploadAsync(person.Client, "life-photo");

        var response = await person.Client.PostAsJsonAsync("/api/merchant/registration", new
        {
            name = "店",
            licenceNumber = "91-31",
            contactName = "陈",
            contactPhone = "12345",
            cityId = "atlantis",
            address = "某路",
            licenceUploadId = photo,
        });

        var problem = await (await response.EnsureStatusAsync(HttpStatusCode.BadRequest)).ReadJsonAsync();
        Assert.Equal(["invalid"], problem.FieldCodes("licenceNumber"));
        Assert.Equal(["invalid_phone"], problem.FieldCodes("contactPhone"));
        Assert.Equal(["unknown_reference"], problem.FieldCodes("cityId"));
        Assert.Equal(["required"], problem.FieldCodes("location"));
        Assert.Equal(["upload_wrong_kind"], problem.FieldCodes("licenceUploadId"));
        await (await person.Client.GetAsync("/api/merchant/profile")).EnsureStatusAsync(HttpStatusCode.Forbidden);
    }
}
