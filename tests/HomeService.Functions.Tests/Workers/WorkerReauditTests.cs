using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HomeService.Functions.Tests.Support;
using HomeService.Domain.Common;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Tests.Uploads;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;

namespace HomeService.Functions.Tests.Workers;

/// <summary>
/// Re-audit (issue 14 #4): an approved worker's change of city, a skill they were not certified for, their skill
/// certificate, or an own price outside the item's range waits for an admin; the rest of the profile stays live.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class WorkerReauditTests(ApiFactory factory)
{
    private sealed record Approved(Person Worker, string CityId, string ItemId, string IdNumber, WorkerApi.Documents Documents);

    private async Task<Approved> ApprovedWorkerAsync()
    {
        var (cityId, itemId) = await factory.CityWithItemAsync();
        var worker = await factory.RegisteredWorkerAsync();
        var documents = await worker.UploadDocumentsAsync();
        var idNumber = WorkerApi.NewIdNumber();
        await (await worker.PutProfileAsync(WorkerApi.Profile(cityId, itemId, idNumber, documents))).EnsureStatusAsync(HttpStatusCode.OK);
        await (await worker.Client.PostAsync("/api/worker/application/submit", null)).EnsureStatusAsync(HttpStatusCode.OK);
        await (await (await factory.AdminAsync()).DecideAsync("workers", worker.UserId, "approve")).EnsureStatusAsync(HttpStatusCode.OK);
        return new Approved(worker, cityId, itemId, idNumber, documents);
    }

    /// <summary>The approved worker's profile as sent at registration, with the given city, skills, intro and certificate.</summary>
    private static object ProfileOf(Approved a, string cityId, object[] skills, string intro = "认真负责，擅长深度保洁。", int radiusKm = 10, string? skillCertificate = null) => new
    {
        realName = "王小明",
        idNumber = a.IdNumber,
        gender = "male",
        birthYear = 1988,
        cityId,
        skills,
        yearsOfExperience = 6,
        intro,
        serviceRadiusKm = radiusKm,
        homeBase = new { latitude = 31.22, longitude = 121.45 },
        documents = new
        {
            idCardFront = a.Documents.IdCardFront,
            idCardBack = a.Documents.IdCardBack,
            healthCertificate = a.Documents.HealthCertificate,
            avatar = a.Documents.Avatar,
            skillCertificate,
        },
    };

    private static (string ItemId, long? Price)[] Skills(JsonElement profile) =>
        [.. profile.GetProperty("skills").EnumerateArray()
            .Select(s => (s.GetProperty("itemId").GetString()!, s.TryGetProperty("ownPriceFen", out var p) ? p.GetInt64() : (long?)null))];

    private static string[] Reasons(JsonElement profile) =>
        [.. profile.GetProperty("pendingChange").GetProperty("reasons").EnumerateArray().Select(r => r.GetString()!)];

    private static async Task<bool> QueuedAsync(HttpClient admin, string workerId)
    {
        string? token = null;
        do
        {
            var url = "/api/admin/workers/changes?pageSize=100" + (token is null ? "" : $"&continuationToken={Uri.EscapeDataString(token)}");
            var page = await (await (await admin.GetAsync(url)).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
            if (page.GetProperty("items").EnumerateArray().Any(i => i.GetProperty("id").GetString() == workerId))
            {
                return true;
            }

            token = page.TryGetProperty("continuationToken", out var next) ? next.GetString() : null;
        }
        while (token is not null);
        return false;
    }

    private async Task<string[]> StoredCellsAsync(string workerId)
    {
        var stored = (await factory.Services.GetRequiredService<CosmosDb>().Workers.ReadItemAsync<JsonElement>(workerId, new PartitionKey(workerId))).Resource;
        return [.. stored.GetProperty("geoCells").EnumerateArray().Select(c => c.GetString()!)];
    }

    [Fact]
    public async Task The_stored_geo_cells_follow_the_home_base_and_radius_through_approval_and_a_profile_update()
    {
        var a = await ApprovedWorkerAsync();
        Assert.Equal(GeoCells.Cover(new GeoPoint(31.22, 121.45), 10), await StoredCellsAsync(a.Worker.UserId));

        var moved = ProfileOf(a, a.CityId, [new { itemId = a.ItemId }], radiusKm: 3);
        var json = JsonSerializer.SerializeToNode(moved, ApiClient.Json)!;
        json["homeBase"] = JsonSerializer.SerializeToNode(new { latitude = 31.30, longitude = 121.60 });
        await (await a.Worker.PutProfileAsync(json)).EnsureStatusAsync(HttpStatusCode.OK);

        var cells = await StoredCellsAsync(a.Worker.UserId);
        Assert.Equal(GeoCells.Cover(new GeoPoint(31.30, 121.60), 3), cells);
        Assert.Contains(GeoCells.Encode(new GeoPoint(31.30, 121.60), GeoCells.FinePrecision), cells);
        Assert.DoesNotContain(GeoCells.Encode(new GeoPoint(31.22, 121.45), GeoCells.FinePrecision), cells);
    }

    [Fact]
    public async Task An_approved_worker_pricing_a_skill_at_one_fen_stays_at_the_audited_price_until_an_admin_decides()
    {
        var a = await ApprovedWorkerAsync();
        var admin = await factory.AdminAsync();

        // 1 fen for a 120 yuan item, and a new intro and radius in the same request.
        var put = await a.Worker.PutProfileAsync(ProfileOf(a, a.CityId, [new { itemId = a.ItemId, ownPriceFen = 1 }], intro: "十年经验", radiusKm: 20));
        var profile = await (await put.EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal("approved", profile.GetProperty("status").GetString());
        Assert.Equal([(a.ItemId, (long?)15_000)], Skills(profile));
        Assert.Equal(["priceOutsideRange"], Reasons(profile));
        Assert.Equal([(a.ItemId, (long?)1)], Skills(profile.GetProperty("pendingChange")));
        // The rest of the profile is live at once.
        Assert.Equal("十年经验", profile.GetProperty("intro").GetString());
        Assert.Equal(20, profile.GetProperty("serviceRadiusKm").GetDouble());

        // Customers still see the audited price.
        var card = await (await (await factory.CreateClient().GetAsync($"/api/workers/{a.Worker.UserId}")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal([(a.ItemId, (long?)15_000)], Skills(card));
        Assert.Equal("十年经验", card.GetProperty("intro").GetString());

        // The queue is the admins': a worker may not read or decide it.
        await (await a.Worker.Client.GetAsync("/api/admin/workers/changes")).EnsureStatusAsync(HttpStatusCode.Forbidden);
        await (await a.Worker.Client.PostAsJsonAsync($"/api/admin/workers/{a.Worker.UserId}/change/approve", new { })).EnsureStatusAsync(HttpStatusCode.Forbidden);
        Assert.True(await QueuedAsync(admin, a.Worker.UserId));

        // Editing something else later keeps the change waiting.
        var later = await (await (await a.Worker.PutProfileAsync(ProfileOf(a, a.CityId, [new { itemId = a.ItemId, ownPriceFen = 15_000 }], intro: "擅长收纳")))
            .EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal(["priceOutsideRange"], Reasons(later));
        Assert.Equal("擅长收纳", later.GetProperty("intro").GetString());

        // A rejection needs a reason and keeps the audited price.
        var noReason = await admin.PostAsJsonAsync($"/api/admin/workers/{a.Worker.UserId}/change/reject", new { });
        Assert.Equal(["required"], (await (await noReason.EnsureStatusAsync(HttpStatusCode.BadRequest)).ReadJsonAsync()).FieldCodes("reason"));
        var rejected = await (await (await admin.PostAsJsonAsync($"/api/admin/workers/{a.Worker.UserId}/change/reject", new { reason = "价格过低" }))
            .EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        var rejectedProfile = rejected.GetProperty("profile");
        Assert.False(rejectedProfile.TryGetProperty("pendingChange", out _));
        Assert.Equal("rejected", rejectedProfile.GetProperty("lastChangeDecision").GetProperty("decision").GetString());
        Assert.Equal("价格过低", rejectedProfile.GetProperty("lastChangeDecision").GetProperty("reason").GetString());
        Assert.Equal([(a.ItemId, (long?)15_000)], Skills(rejectedProfile));
        Assert.False(await QueuedAsync(admin, a.Worker.UserId));

        // Nothing waits now: a decision is a conflict.
        var conflict = await admin.PostAsJsonAsync($"/api/admin/workers/{a.Worker.UserId}/change/approve", new { });
        Assert.Equal("no_pending_change", (await (await conflict.EnsureStatusAsync(HttpStatusCode.Conflict)).ReadJsonAsync()).GetProperty("code").GetString());

        // A price inside the range (50–200 % of 120 yuan) applies without an audit.
        var inRange = await (await (await a.Worker.PutProfileAsync(ProfileOf(a, a.CityId, [new { itemId = a.ItemId, ownPriceFen = 20_000 }])))
            .EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal([(a.ItemId, (long?)20_000)], Skills(inRange));
        Assert.False(inRange.TryGetProperty("pendingChange", out _));
    }

    [Fact]
    public async Task Moving_city_with_a_new_skill_and_certificate_waits_for_approval_and_the_worker_may_withdraw_it()
    {
        var a = await ApprovedWorkerAsync();
        var admin = await factory.AdminAsync();
        var (otherCity, otherItem) = await factory.CityWithItemAsync();
        var certificate = await UploadFiles.UploadAsync(a.Worker.Client, "skill-certificate", "application/pdf");
        object Move() => ProfileOf(a, otherCity, [new { itemId = otherItem, ownPriceFen = 12_000 }], skillCertificate: certificate);

        var moved = await (await (await a.Worker.PutProfileAsync(Move())).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal(a.CityId, moved.GetProperty("cityId").GetString());
        Assert.Equal([(a.ItemId, (long?)15_000)], Skills(moved));
        Assert.False(moved.GetProperty("documents").TryGetProperty("skillCertificate", out _));
        Assert.Equal(["city", "newSkill", "skillCertificate"], Reasons(moved));
        Assert.Equal(otherCity, moved.GetProperty("pendingChange").GetProperty("cityId").GetString());

        // Withdrawn by the worker: the audited profile stays, nothing is queued.
        var withdrawn = await (await (await a.Worker.Client.DeleteAsync("/api/worker/profile/pending-change")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.False(withdrawn.TryGetProperty("pendingChange", out _));
        Assert.False(await QueuedAsync(admin, a.Worker.UserId));

        // Asked again and approved: the new city, skill and certificate become the profile.
        await (await a.Worker.PutProfileAsync(Move())).EnsureStatusAsync(HttpStatusCode.OK);
        Assert.True(await QueuedAsync(admin, a.Worker.UserId));
        var approved = await (await (await admin.PostAsJsonAsync($"/api/admin/workers/{a.Worker.UserId}/change/approve", new { }))
            .EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        var profile = approved.GetProperty("profile");
        Assert.Equal("approved", profile.GetProperty("status").GetString());
        Assert.Equal(otherCity, profile.GetProperty("cityId").GetString());
        Assert.Equal([(otherItem, (long?)12_000)], Skills(profile));
        Assert.Equal(certificate, profile.GetProperty("documents").GetProperty("skillCertificate").GetString());
        Assert.Equal("approved", profile.GetProperty("lastChangeDecision").GetProperty("decision").GetString());
        var card = await (await (await factory.CreateClient().GetAsync($"/api/workers/{a.Worker.UserId}")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal([(otherItem, (long?)12_000)], Skills(card));

        await (await admin.PostAsJsonAsync("/api/admin/workers/no-such-worker/change/approve", new { })).EnsureStatusAsync(HttpStatusCode.NotFound);
    }
}
