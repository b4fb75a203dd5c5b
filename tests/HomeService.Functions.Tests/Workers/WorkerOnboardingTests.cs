using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Tests.Support;
using HomeService.Functions.Workers;
using HomeService.Domain.Workers;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using HomeService.Functions.Tests.Uploads;

namespace HomeService.Functions.Tests.Workers;

[Collection(ApiCollection.Name)]
public sealed class WorkerOnboardingTests(ApiFactory factory)
{
    private static async Task<JsonElement?> FindInQueueAsync(HttpClient admin, string status, string workerId)
    {
        string? token = null;
        do
        {
            var url = $"/api/admin/workers?status={status}&pageSize=50" + (token is null ? "" : $"&continuationToken={Uri.EscapeDataString(token)}");
            var page = await (await (await admin.GetAsync(url)).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
            foreach (var item in page.GetProperty("items").EnumerateArray())
            {
                Assert.Equal(status, item.GetProperty("status").GetString());
                if (item.GetProperty("id").GetString() == workerId)
                {
                    return item;
                }
            }

            token = page.TryGetProperty("continuationToken", out var next) ? next.GetString() : null;
        }
        while (token is not null);

        return null;
    }

    [Fact]
    public async Task The_approved_list_includes_workers_approved_without_an_application_such_as_seeded_ones()
    {
        // Demo and imported workers are written approved, with no submission date (issue 14 #7: they were missing).
        var db = factory.Services.GetRequiredService<CosmosDb>();
        var id = $"wkr_{Guid.NewGuid():N}";
        await db.Workers.CreateItemAsync(new WorkerDocument
        {
            Id = id, Status = AuditStatus.Approved, RealName = "李师傅", IdNumberMasked = "3101**********1234", IdNumberHash = id, CityId = "shanghai",
            CreatedAt = factory.Services.GetRequiredService<TimeProvider>().GetUtcNow(),
        }, new PartitionKey(id));

        var listed = await FindInQueueAsync(await factory.AdminAsync(), "approved", id);
        Assert.NotNull(listed);
        Assert.False(listed.Value.TryGetProperty("submittedAt", out _));
    }

    [Fact]
    public async Task A_worker_registers_uploads_documents_is_rejected_resubmits_is_approved_and_appears_on_the_public_card()
    {
        var (cityId, itemId) = await factory.CityWithItemAsync();
        var worker = await factory.PersonAsync();
        var admin = await factory.AdminAsync();

        var registered = await (await (await worker.Client.PostAsync("/api/worker/registration", null)).EnsureStatusAsync(HttpStatusCode.Created)).ReadJsonAsync();
        Assert.Equal("registered", registered.GetProperty("status").GetString());
        // The old token has no worker role yet; a refreshed one has.
        await (await worker.Client.GetAsync("/api/worker/profile")).EnsureStatusAsync(HttpStatusCode.Forbidden);
        await worker.RefreshAsync();

        var documents = await worker.UploadDocumentsAsync();
        var idNumber = WorkerApi.NewIdNumber();
        var saved = await (await (await worker.PutProfileAsync(WorkerApi.Profile(cityId, itemId, idNumber, documents))).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal($"{idNumber[..3]}***********{idNumber[^4..]}", saved.GetProperty("idNumberMasked").GetString());
        Assert.DoesNotContain(idNumber, saved.GetRawText());
        Assert.Equal(itemId, saved.GetProperty("skills")[0].GetProperty("itemId").GetString());

        var submitted = await (await (await worker.Client.PostAsync("/api/worker/application/submit", null)).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal("submitted", submitted.GetProperty("status").GetString());

        Assert.NotNull(await FindInQueueAsync(admin, "submitted", worker.UserId));
        var detail = await (await (await admin.GetAsync($"/api/admin/workers/{worker.UserId}")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        var urls = detail.GetProperty("documentUrls").EnumerateArray().ToDictionary(d => d.GetProperty("field").GetString()!, d => d.GetProperty("url").GetString()!);
        Assert.Equal(["avatar", "healthCertificate", "idCardBack", "idCardFront"], urls.Keys.Order().ToArray());
        var idCard = await UploadFiles.Blob.GetAsync(urls["idCardBack"]);
        await idCard.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal("image/png", idCard.Content.Headers.ContentType!.MediaType);
        Assert.DoesNotContain(idNumber, detail.GetRawText());

        var rejected = await (await (await admin.DecideAsync("workers", worker.UserId, "reject", "身份证背面照片模糊")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal("rejected", rejected.GetProperty("profile").GetProperty("status").GetString());
        var (mine, _) = await worker.ProfileAsync();
        Assert.Equal("身份证背面照片模糊", mine.GetProperty("rejectionReason").GetString());
        await (await factory.CreateClient().GetAsync($"/api/workers/{worker.UserId}")).EnsureStatusAsync(HttpStatusCode.NotFound);

        // Resubmit with a better photo of the back of the ID card (the ID number is kept when omitted).
        var newBack = await UploadFiles.UploadAsync(worker.Client, "id-card-back");
        var profile = WorkerApi.Profile(cityId, itemId, idNumber, documents with { IdCardBack = newBack });
        await (await worker.PutProfileAsync(profile)).EnsureStatusAsync(HttpStatusCode.OK);
        await (await worker.Client.PostAsync("/api/worker/application/submit", null)).EnsureStatusAsync(HttpStatusCode.OK);
        Assert.NotNull(await FindInQueueAsync(admin, "submitted", worker.UserId));

        var approved = await (await (await admin.DecideAsync("workers", worker.UserId, "approve")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal("approved", approved.GetProperty("profile").GetProperty("status").GetString());
        Assert.False(approved.GetProperty("profile").GetProperty("accepting").GetBoolean());
        Assert.False(approved.GetProperty("profile").TryGetProperty("rejectionReason", out _));
        Assert.False(string.IsNullOrEmpty(approved.GetProperty("reviewedBy").GetString()));

        var accepting = await worker.Client.PutAsJsonAsync("/api/worker/accepting", new { accepting = true });
        Assert.True((await (await accepting.EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync()).GetProperty("accepting").GetBoolean());

        var card = await (await (await factory.CreateClient().GetAsync($"/api/workers/{worker.UserId}")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal("王师傅", card.GetProperty("displayName").GetString());
        Assert.Equal(6, card.GetProperty("yearsOfExperience").GetInt32());
        var avatar = await UploadFiles.Blob.GetAsync(card.GetProperty("avatarUrl").GetString());
        await avatar.EnsureStatusAsync(HttpStatusCode.OK);
        var raw = card.GetRawText();
        foreach (var secret in new[] { "idNumber", "realName", "documents", "Phone", "小明", idNumber })
        {
            Assert.DoesNotContain(secret, raw);
        }
    }

    [Fact]
    public async Task An_id_number_with_a_wrong_checksum_is_a_field_error()
    {
        var (cityId, itemId) = await factory.CityWithItemAsync();
        var worker = await factory.RegisteredWorkerAsync();
        var valid = WorkerApi.NewIdNumber();
        var wrongCheck = valid[..17] + (valid[17] == '0' ? '1' : '0');

        var response = await worker.PutProfileAsync(WorkerApi.Profile(cityId, itemId, wrongCheck, null));

        var problem = await (await response.EnsureStatusAsync(HttpStatusCode.BadRequest)).ReadJsonAsync();
        Assert.Equal(["invalid_id_number"], problem.FieldCodes("idNumber"));
    }

    [Fact]
    public async Task An_id_number_already_used_by_another_worker_is_refused_with_409()
    {
        var (cityId, itemId) = await factory.CityWithItemAsync();
        var first = await factory.RegisteredWorkerAsync();
        var second = await factory.RegisteredWorkerAsync();
        var idNumber = WorkerApi.NewIdNumber();
        await (await first.PutProfileAsync(WorkerApi.Profile(cityId, itemId, idNumber, null))).EnsureStatusAsync(HttpStatusCode.OK);
        // Saving the same number again is fine for its holder.
        await (await first.PutProfileAsync(WorkerApi.Profile(cityId, itemId, idNumber, null))).EnsureStatusAsync(HttpStatusCode.OK);

        var duplicate = await second.PutProfileAsync(WorkerApi.Profile(cityId, itemId, idNumber.ToLowerInvariant(), null));

        var problem = await (await duplicate.EnsureStatusAsync(HttpStatusCode.Conflict)).ReadJsonAsync();
        Assert.Equal("id_number_in_use", problem.GetProperty("code").GetString());
        var (secondProfile, _) = await second.ProfileAsync();
        Assert.False(secondProfile.TryGetProperty("idNumberMasked", out _));
    }

    [Fact]
    public async Task Registering_twice_is_409_and_the_profile_validates_city_skills_documents_and_ranges()
    {
        var (cityId, itemId) = await factory.CityWithItemAsync();
        var (otherCity, _) = await factory.CityWithItemAsync();
        var worker = await factory.RegisteredWorkerAsync();
        var again = await worker.Client.PostAsync("/api/worker/registration", null);
        Assert.Equal("already_exists", (await (await again.EnsureStatusAsync(HttpStatusCode.Conflict)).ReadJsonAsync()).GetProperty("code").GetString());

        var photo = await UploadFiles.UploadAsync(worker.Client, "life-photo");
        var stranger = await factory.PersonAsync();
        var strangersCard = await UploadFiles.UploadAsync(stranger.Client, "id-card-front");
        var response = await worker.PutProfileAsync(new
        {
            realName = "李四",
            idNumber = WorkerApi.NewIdNumber(),
            birthYear = DateTime.UtcNow.Year - 17,
            cityId = otherCity,
            skills = new[] { new { itemId, ownPriceFen = 0 }, new { itemId = "no-such-item", ownPriceFen = 100 } },
            intro = new string('好', 501),
            serviceRadiusKm = 80,
            homeBase = new { latitude = 95.0, longitude = 121.0 },
            documents = new { idCardFront = photo, idCardBack = strangersCard },
        });

        var problem = await (await response.EnsureStatusAsync(HttpStatusCode.BadRequest)).ReadJsonAsync();
        Assert.Equal(["out_of_range"], problem.FieldCodes("birthYear"));
        Assert.Equal(["not_offered_in_city"], problem.FieldCodes("skills[0].itemId"));
        Assert.Equal(["out_of_range"], problem.FieldCodes("skills[0].ownPriceFen"));
        Assert.Equal(["unknown_reference"], problem.FieldCodes("skills[1].itemId"));
        Assert.Equal(["too_long"], problem.FieldCodes("intro"));
        Assert.Equal(["out_of_range"], problem.FieldCodes("serviceRadiusKm"));
        Assert.Equal(["out_of_range"], problem.FieldCodes("homeBase.latitude"));
        Assert.Equal(["upload_wrong_kind"], problem.FieldCodes("documents.idCardFront"));
        Assert.Equal(["upload_not_confirmed"], problem.FieldCodes("documents.idCardBack"));
        _ = cityId;
    }

    [Fact]
    public async Task Submitting_an_incomplete_application_lists_every_missing_field()
    {
        var (cityId, itemId) = await factory.CityWithItemAsync();
        var worker = await factory.RegisteredWorkerAsync();
        await (await worker.PutProfileAsync(new { realName = "赵六", cityId, skills = new[] { new { itemId } } })).EnsureStatusAsync(HttpStatusCode.OK);

        var response = await worker.Client.PostAsync("/api/worker/application/submit", null);

        var problem = await (await response.EnsureStatusAsync(HttpStatusCode.BadRequest)).ReadJsonAsync();
        var fields = problem.GetProperty("fieldCodes").EnumerateObject().Select(p => p.Name).Order().ToArray();
        Assert.Equal(["documents.healthCertificate", "documents.idCardBack", "documents.idCardFront", "homeBase", "idNumber", "serviceRadiusKm"], fields);
        Assert.Equal("registered", (await worker.ProfileAsync()).Profile.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_customer_gets_403_on_worker_and_admin_endpoints_and_anonymous_gets_401()
    {
        var customer = await factory.NewCustomerAsync();
        await (await customer.GetAsync("/api/worker/profile")).EnsureStatusAsync(HttpStatusCode.Forbidden);
        await (await customer.PutAsJsonAsync("/api/worker/accepting", new { accepting = true })).EnsureStatusAsync(HttpStatusCode.Forbidden);
        await (await customer.PostAsync("/api/worker/application/submit", null)).EnsureStatusAsync(HttpStatusCode.Forbidden);
        await (await customer.GetAsync("/api/admin/workers")).EnsureStatusAsync(HttpStatusCode.Forbidden);
        await (await customer.PostAsJsonAsync("/api/admin/workers/anyone/approve", new { })).EnsureStatusAsync(HttpStatusCode.Forbidden);
        await (await customer.GetAsync("/api/admin/merchants")).EnsureStatusAsync(HttpStatusCode.Forbidden);
        await (await customer.GetAsync("/api/merchant/staff")).EnsureStatusAsync(HttpStatusCode.Forbidden);
        await (await factory.CreateClient().PostAsync("/api/worker/registration", null)).EnsureStatusAsync(HttpStatusCode.Unauthorized);

        // A worker is not an admin either.
        var worker = await factory.RegisteredWorkerAsync();
        await (await worker.Client.PostAsJsonAsync($"/api/admin/workers/{worker.UserId}/approve", new { })).EnsureStatusAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Accepting_is_409_before_approval_and_approving_twice_keeps_the_first_decision()
    {
        var worker = await factory.SubmittedWorkerAsync();
        var admin = await factory.AdminAsync();

        var early = await worker.Client.PutAsJsonAsync("/api/worker/accepting", new { accepting = true });
        var problem = await (await early.EnsureStatusAsync(HttpStatusCode.Conflict)).ReadJsonAsync();
        Assert.Equal("submitted", problem.GetProperty("currentStatus").GetString());
        // Under review the profile is frozen.
        await (await worker.PutProfileAsync(new { realName = "改名" })).EnsureStatusAsync(HttpStatusCode.Conflict);

        var first = await (await (await admin.DecideAsync("workers", worker.UserId, "approve")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        // Approving again is already applied: the same state and reviewer come back, nothing is rewritten.
        var second = await (await (await admin.DecideAsync("workers", worker.UserId, "approve")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal("approved", second.GetProperty("profile").GetProperty("status").GetString());
        Assert.Equal(first.GetProperty("profile").GetProperty("reviewedAt").GetString(), second.GetProperty("profile").GetProperty("reviewedAt").GetString());

        var reject = await admin.DecideAsync("workers", worker.UserId, "reject", "too late");
        var conflict = await (await reject.EnsureStatusAsync(HttpStatusCode.Conflict)).ReadJsonAsync();
        Assert.Equal("audit_not_allowed", conflict.GetProperty("code").GetString());
        Assert.Equal("approved", conflict.GetProperty("currentStatus").GetString());
        Assert.Contains("Approved", conflict.GetProperty("title").GetString());

        var noReason = await admin.DecideAsync("workers", worker.UserId, "suspend");
        Assert.Equal(["required"], (await (await noReason.EnsureStatusAsync(HttpStatusCode.BadRequest)).ReadJsonAsync()).FieldCodes("reason"));

        // Suspension stops orders; reinstatement does not switch accepting back on.
        await (await worker.Client.PutAsJsonAsync("/api/worker/accepting", new { accepting = true })).EnsureStatusAsync(HttpStatusCode.OK);
        await (await admin.DecideAsync("workers", worker.UserId, "suspend", "多次爽约")).EnsureStatusAsync(HttpStatusCode.OK);
        await (await factory.CreateClient().GetAsync($"/api/workers/{worker.UserId}")).EnsureStatusAsync(HttpStatusCode.NotFound);
        var reinstated = await (await (await admin.DecideAsync("workers", worker.UserId, "reinstate")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.False(reinstated.GetProperty("profile").GetProperty("accepting").GetBoolean());
        await (await admin.DecideAsync("workers", "no-such-worker", "approve")).EnsureStatusAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Concurrent_approvals_and_rejections_of_one_application_have_exactly_one_winning_decision()
    {
        var worker = await factory.SubmittedWorkerAsync();
        var admin = await factory.AdminAsync();

        var requests = Enumerable.Range(0, 10)
            .Select(i => i % 2 == 0 ? admin.DecideAsync("workers", worker.UserId, "approve") : admin.DecideAsync("workers", worker.UserId, "reject", $"理由 {i}"))
            .ToArray();
        var responses = await Task.WhenAll(requests);

        var (profile, _) = await worker.ProfileAsync();
        var final = profile.GetProperty("status").GetString();
        var winnerIsApprove = final == "approved";
        Assert.True(winnerIsApprove || final == "rejected", final);
        for (var i = 0; i < responses.Length; i++)
        {
            var isApprove = i % 2 == 0;
            var expected = isApprove == winnerIsApprove ? HttpStatusCode.OK : HttpStatusCode.Conflict;
            var body = await (await responses[i].EnsureStatusAsync(expected)).ReadJsonAsync();
            if (expected == HttpStatusCode.Conflict)
            {
                Assert.Equal(final, body.GetProperty("currentStatus").GetString());
            }
        }

        if (!winnerIsApprove)
        {
            // One reason won, and it is one of those sent.
            Assert.StartsWith("理由 ", profile.GetProperty("rejectionReason").GetString());
        }
    }
}
