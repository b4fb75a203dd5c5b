using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using HomeService.Domain.Workers;
using HomeService.Functions.Auth;
using HomeService.Functions.Catalog;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Tests.Support;
using HomeService.Functions.Tests.Uploads;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;

namespace HomeService.Functions.Tests.Workers;

/// <summary>A signed-in person, with their user id, whose token can be refreshed after a role is granted.</summary>
public sealed record Person(HttpClient Client, string UserId);

/// <summary>Test helpers for the worker and merchant scenarios.</summary>
public static class WorkerApi
{
    public static async Task<Person> PersonAsync(this ApiFactory factory)
    {
        var client = await factory.NewCustomerAsync();
        var me = await (await client.GetAsync("/api/me")).ReadJsonAsync();
        return new Person(client, me.GetProperty("id").GetString()!);
    }

    /// <summary>A fresh token carrying the roles granted since login.</summary>
    public static async Task RefreshAsync(this Person person)
    {
        var response = await person.Client.PostAsync("/api/auth/refresh", null);
        var token = await (await response.EnsureStatusAsync(HttpStatusCode.OK)).ReadAsync<TokenResponse>();
        person.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken);
    }

    public static async Task<Person> RegisteredWorkerAsync(this ApiFactory factory)
    {
        var person = await factory.PersonAsync();
        await (await person.Client.PostAsync("/api/worker/registration", null)).EnsureStatusAsync(HttpStatusCode.Created);
        await person.RefreshAsync();
        return person;
    }

    /// <summary>A city and an active item offered there; each call makes new ones.</summary>
    public static async Task<(string CityId, string ItemId)> CityWithItemAsync(this ApiFactory factory)
    {
        var db = factory.Services.GetRequiredService<CosmosDb>();
        var cityId = $"city-{Guid.NewGuid():N}"[..20];
        await db.Catalog.UpsertItemAsync(new CityDocument { Id = cityId, Name = "上海", TimeZone = "Asia/Shanghai", Active = true, Center = new GeoCenter(31.23, 121.47) },
            new PartitionKey(CityDocument.Kind));
        var itemId = $"item-{Guid.NewGuid():N}";
        await db.Catalog.UpsertItemAsync(new ItemDocument
        {
            Id = itemId, Name = "日常保洁", CategoryId = "cleaning-daily", DurationMinutes = 120, PriceFen = 12_000,
            ExtraFees = new ExtraFees(new TravelFeeRule(3, 200, 3000), 0), CityIds = [cityId], Active = true,
        }, new PartitionKey(ItemDocument.Kind));
        return (cityId, itemId);
    }

    /// <summary>A valid, random 18-digit resident ID number (born 1975–1999).</summary>
    public static string NewIdNumber()
    {
        var birth = new DateOnly(1975, 1, 1).AddDays(Random.Shared.Next(0, 365 * 24));
        var first17 = $"{Random.Shared.Next(110000, 660000)}{birth:yyyyMMdd}{Random.Shared.Next(0, 1000):D3}";
        return first17 + ResidentIdNumber.CheckCharacterOf(first17);
    }

    public static async Task<(JsonElement Profile, string ETag)> ProfileAsync(this Person worker)
    {
        var response = await (await worker.Client.GetAsync("/api/worker/profile")).EnsureStatusAsync(HttpStatusCode.OK);
        return (await response.ReadJsonAsync(), response.Headers.ETag!.Tag);
    }

    public static async Task<HttpResponseMessage> PutProfileAsync(this Person worker, object profile)
    {
        var (_, etag) = await worker.ProfileAsync();
        return await worker.Client.SendAsync(new HttpRequestMessage(HttpMethod.Put, "/api/worker/profile") { Content = JsonContent.Create(profile) }.WithIfMatch(etag));
    }

    public sealed record Documents(string IdCardFront, string IdCardBack, string HealthCertificate, string Avatar);

    public static async Task<Documents> UploadDocumentsAsync(this Person worker) => new(
        await UploadFiles.UploadAsync(worker.Client, "id-card-front"),
        await UploadFiles.UploadAsync(worker.Client, "id-card-back", "image/png"),
        await UploadFiles.UploadAsync(worker.Client, "health-certificate", "application/pdf"),
        await UploadFiles.UploadAsync(worker.Client, "avatar", "image/webp"));

    public static object Profile(string cityId, string itemId, string idNumber, Documents? documents, string realName = "王小明") => new
    {
        realName,
        idNumber,
        gender = "male",
        birthYear = 1988,
        cityId,
        skills = new[] { new { itemId, ownPriceFen = 15_000 } },
        yearsOfExperience = 6,
        intro = "认真负责，擅长深度保洁。",
        serviceRadiusKm = 10,
        homeBase = new { latitude = 31.22, longitude = 121.45 },
        documents = documents is null ? null : new
        {
            idCardFront = documents.IdCardFront,
            idCardBack = documents.IdCardBack,
            healthCertificate = documents.HealthCertificate,
            avatar = documents.Avatar,
        },
    };

    /// <summary>A worker with a complete profile and documents, submitted for audit.</summary>
    public static async Task<Person> SubmittedWorkerAsync(this ApiFactory factory, string realName = "王小明")
    {
        var (cityId, itemId) = await factory.CityWithItemAsync();
        var worker = await factory.RegisteredWorkerAsync();
        var documents = await worker.UploadDocumentsAsync();
        await (await worker.PutProfileAsync(Profile(cityId, itemId, NewIdNumber(), documents, realName))).EnsureStatusAsync(HttpStatusCode.OK);
        await (await worker.Client.PostAsync("/api/worker/application/submit", null)).EnsureStatusAsync(HttpStatusCode.OK);
        return worker;
    }

    public static Task<HttpResponseMessage> DecideAsync(this HttpClient admin, string kind, string id, string action, string? reason = null) =>
        admin.PostAsJsonAsync($"/api/admin/{kind}/{id}/{action}", new { reason });

    public static string[] FieldCodes(this JsonElement problem, string field) =>
        problem.GetProperty("fieldCodes").GetProperty(field).EnumerateArray().Select(e => e.GetString()!).ToArray();
}
