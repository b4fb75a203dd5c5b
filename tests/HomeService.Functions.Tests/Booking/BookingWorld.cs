using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using HomeService.Domain.Scheduling;
using HomeService.Functions.Auth;
using HomeService.Functions.Booking;
using HomeService.Functions.Catalog;
using HomeService.Functions.Customers;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Scheduling;
using HomeService.Functions.Tests.Support;
using HomeService.Functions.Workers;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace HomeService.Functions.Tests.Booking;

/// <summary>The app on a fake clock (Monday 2026-11-23 10:00 in Shanghai), shared by the booking and scheduling tests.</summary>
public class BookingFactory : ApiFactory
{
    public BookingFactory()
        : this(null, null)
    {
    }

    protected BookingFactory(string? databaseName, DateTimeOffset? start)
        : base(databaseName) => Clock = new FakeTimeProvider(start ?? new DateTimeOffset(2026, 11, 23, 2, 0, 0, TimeSpan.Zero));

    public FakeTimeProvider Clock { get; }

    /// <summary>
    /// Moves the clock up to real time if it is behind: Azurite checks SAS expiry against the real clock, so a test that
    /// uploads must not sign SAS at a fake time in the past. Call it before anyone signs in, so no token outlives the jump.
    /// </summary>
    public void NotBehindRealTime()
    {
        if (DateTimeOffset.UtcNow > Clock.GetUtcNow())
        {
            Clock.Advance(DateTimeOffset.UtcNow - Clock.GetUtcNow());
        }
    }

    /// <summary>Request logs of hundreds of concurrent bookings would cost more than the bookings.</summary>
    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Warning",
        ["Logging:LogLevel:HomeService"] = "Information",
        ["Diagnostics:CosmosUsageHeaders"] = "true",
    };

    /// <summary>The fake clock, for the app and for the orchestrations' durable timers.</summary>
    protected override void ConfigureTestServices(IServiceCollection services)
    {
        services.AddSingleton<TimeProvider>(Clock);
        services.AddTimeControlledTaskHub();
    }
}

[CollectionDefinition(Name)]
public sealed class BookingCollection : ICollectionFixture<BookingFactory>
{
    public const string Name = "booking";
}

public sealed record TestWorker(string Id, HttpClient Client);

public sealed record TestCustomer(HttpClient Client, string AddressId);

/// <summary>
/// Builds what a booking needs: a city, an item, approved workers (written straight into `workers`, since registration is
/// another feature) with a plan set over HTTP, and customers with an address. Ids are unique per test.
/// </summary>
public sealed class BookingWorld(BookingFactory factory)
{
    public static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    public static readonly (double Lat, double Lng) Center = (31.2304, 121.4737);

    public BookingFactory Factory { get; } = factory;
    public CosmosDb Db => Factory.Services.GetRequiredService<CosmosDb>();
    public string CityId { get; } = $"city-{Guid.NewGuid():N}"[..20];
    public string ItemId { get; } = $"item-{Guid.NewGuid():N}"[..20];

    public static async Task<BookingWorld> StartAsync(BookingFactory factory, int durationMinutes = 120, int bufferMinutes = 30, long priceFen = 10_000)
    {
        var world = new BookingWorld(factory);
        var catalog = factory.Services.GetRequiredService<CatalogStore>();
        await catalog.UpsertAsync(CityDocument.Kind, new CityDocument
        {
            Id = world.CityId, Name = "上海", TimeZone = "Asia/Shanghai", Active = true, Center = new GeoCenter(Center.Lat, Center.Lng),
            Districts = ["黄浦区", "静安区", "徐汇区", "浦东新区"],
        }, CancellationToken.None);
        await catalog.UpsertAsync(ItemDocument.Kind, new ItemDocument
        {
            Id = world.ItemId, Name = "日常保洁", CategoryId = "cat-test", DurationMinutes = durationMinutes, BufferMinutes = bufferMinutes, PriceFen = priceFen,
            ExtraFees = new ExtraFees(new TravelFeeRule(3, 200, 3_000), 500), CityIds = [world.CityId], Active = true,
        }, CancellationToken.None);
        return world;
    }

    /// <summary>Local wall time <paramref name="daysAhead"/> days after the clock's local date, as UTC.</summary>
    public DateTimeOffset At(int daysAhead, int hour, int minute = 0)
    {
        var today = DateOnly.FromDateTime(ZoneTime.ToLocal(Factory.Clock.GetUtcNow(), Shanghai));
        return ZoneTime.ToUtc(today.AddDays(daysAhead), new TimeOnly(hour, minute), Shanghai);
    }

    public async Task<TestWorker> WorkerAsync(double lat = 31.2304, double lng = 121.4737, double radiusKm = 30, double rating = 4.5,
        string from = "08:00", string to = "20:00", long? ownPriceFen = null)
    {
        var id = $"wkr_{Guid.NewGuid():N}";
        var user = new UserDocument { Id = id, Roles = [Roles.Customer, Roles.Worker], CreatedAt = Factory.Clock.GetUtcNow() };
        await Db.Users.CreateItemAsync(user, new PartitionKey(id));
        await Db.Workers.CreateItemAsync(new WorkerDocument
        {
            Id = id, Status = AuditStatus.Approved, RealName = "张师傅", IdNumberMasked = "3101**********1234", IdNumberHash = id, CityId = CityId,
            Skills = [new WorkerSkill(ItemId, ownPriceFen)], SkillItemIds = [ItemId], ServiceRadiusKm = radiusKm,
            HomeBase = new GeoLocation(lat, lng), Accepting = true, Rating = new RatingSummary(rating, 10), CreatedAt = Factory.Clock.GetUtcNow(),
        }, new PartitionKey(id));
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Factory.Services.GetRequiredService<TokenService>().Issue(user).AccessToken);
        var days = Enum.GetValues<DayOfWeek>().Select(d => new { day = d, work = new[] { new { start = from, end = to } } });
        await (await client.PutAsJsonAsync("/api/worker/schedule/plan", new { days }, ApiClient.Json)).EnsureStatusAsync(HttpStatusCode.OK);
        return new TestWorker(id, client);
    }

    /// <summary>
    /// <paramref name="count"/> approved workers at the centre working 08:00–20:00 every day, written straight into
    /// `workers` and `schedules` (no HTTP, no sign-in): for tests that need more candidates than one query page.
    /// </summary>
    public async Task<IReadOnlyList<string>> WorkersWrittenAsync(int count, double radiusKm = 30, (double Lat, double Lng)? at = null, string idPrefix = "wkr_")
    {
        var (lat, lng) = at ?? (Center.Lat, Center.Lng);
        var days = Enum.GetValues<DayOfWeek>().Select(d => new DayPlanDto(d, [new IntervalDto("08:00", "20:00")], null)).ToList();
        var ids = Enumerable.Range(0, count).Select(_ => $"{idPrefix}{Guid.NewGuid():N}").ToList();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, ct) =>
        {
            await Db.Workers.CreateItemAsync(new WorkerDocument
            {
                Id = id, Status = AuditStatus.Approved, RealName = "张师傅", IdNumberMasked = "3101**********1234", IdNumberHash = id, CityId = CityId,
                Skills = [new WorkerSkill(ItemId, null)], SkillItemIds = [ItemId], ServiceRadiusKm = radiusKm,
                HomeBase = new GeoLocation(lat, lng), Accepting = true, Rating = new RatingSummary(4.5, 10), CreatedAt = Factory.Clock.GetUtcNow(),
            }, new PartitionKey(id), cancellationToken: ct);
            await Db.Schedules.CreateItemAsync(new PlanDocument { WorkerId = id, Days = days }, new PartitionKey(id), cancellationToken: ct);
        });
        return ids;
    }

    public async Task<TestCustomer> CustomerAsync(double lat = 31.2304, double lng = 121.4737)
    {
        var client = await Factory.NewCustomerAsync();
        var address = await (await (await client.PostAsJsonAsync("/api/customer/addresses", new
        {
            contactName = "王女士", contactPhone = "13812345678", cityId = CityId, detail = "南京西路 1 号", latitude = lat, longitude = lng,
        })).EnsureStatusAsync(HttpStatusCode.Created)).ReadAsync<AddressView>();
        return new TestCustomer(client, address.Id);
    }

    public async Task<TestCustomer> AnotherAddressAsync(TestCustomer customer, double lat, double lng)
    {
        var address = await (await (await customer.Client.PostAsJsonAsync("/api/customer/addresses", new
        {
            contactName = "王女士", contactPhone = "13812345678", cityId = CityId, detail = $"地址 {lat},{lng}", latitude = lat, longitude = lng,
        })).EnsureStatusAsync(HttpStatusCode.Created)).ReadAsync<AddressView>();
        return customer with { AddressId = address.Id };
    }

    public object Body(TestCustomer customer, DateTimeOffset start, string? workerId = null, int quantity = 1, string? notes = null) =>
        new { itemId = ItemId, addressId = customer.AddressId, start, workerId, quantity, notes };

    public static Task<HttpResponseMessage> BookAsync(HttpClient client, object body, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/customer/orders") { Content = JsonContent.Create(body, options: ApiClient.Json) };
        request.Headers.Add("Idempotency-Key", key ?? Guid.NewGuid().ToString("N"));
        return client.SendAsync(request);
    }

    public async Task<OrderView> BookOkAsync(TestCustomer customer, DateTimeOffset start, string? workerId = null) =>
        await (await (await BookAsync(customer.Client, Body(customer, start, workerId))).EnsureStatusAsync(HttpStatusCode.Created)).ReadAsync<OrderView>();

    public Task<CalendarDocument> CalendarAsync(string workerId) =>
        Factory.Services.GetRequiredService<WorkerSchedules>().GetCalendarAsync(workerId, CancellationToken.None);

    public static async Task<string> ProblemCodeAsync(HttpResponseMessage response) =>
        (await response.ReadJsonAsync()).GetProperty("code").GetString()!;

    public static async Task<string> FieldCodeAsync(HttpResponseMessage response, string field) =>
        (await response.ReadJsonAsync()).GetProperty("fieldCodes").GetProperty(field)[0].GetString()!;
}
