using System.Net;
using System.Net.Http.Json;
using HomeService.Functions.Infrastructure.Storage;
using HomeService.Functions.Uploads;
using HomeService.Functions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace HomeService.Functions.Tests.Uploads;

[Collection(ApiCollection.Name)]
public sealed class UploadTests(ApiFactory factory)
{
    [Fact]
    public async Task A_photo_goes_straight_to_blob_storage_is_confirmed_and_read_back_through_a_short_lived_url()
    {
        var client = await factory.NewCustomerAsync();
        var bytes = UploadFiles.Png();

        var ticket = await UploadFiles.StartAsync(client, "life-photo", "image/png", bytes.Length);
        var uploadId = ticket.GetProperty("uploadId").GetString()!;
        var expiresAt = ticket.GetProperty("expiresAt").GetDateTimeOffset();
        Assert.InRange(expiresAt - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(13), TimeSpan.FromMinutes(15));
        Assert.EndsWith($"/life-photo/{uploadId}", ticket.GetProperty("blobName").GetString());
        await (await UploadFiles.PutAsync(ticket, bytes, "image/png")).EnsureStatusAsync(HttpStatusCode.Created);

        var confirmed = await (await (await client.PostAsync($"/api/uploads/{uploadId}/confirm", null)).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal("confirmed", confirmed.GetProperty("status").GetString());
        // Confirming again changes nothing.
        await (await client.PostAsync($"/api/uploads/{uploadId}/confirm", null)).EnsureStatusAsync(HttpStatusCode.OK);

        var view = await (await (await client.GetAsync($"/api/uploads/{uploadId}")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.True(view.GetProperty("readUrlExpiresAt").GetDateTimeOffset() <= DateTimeOffset.UtcNow.AddMinutes(5));
        var read = await UploadFiles.Blob.GetAsync(view.GetProperty("readUrl").GetString());
        await read.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal(bytes, await read.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_file_whose_bytes_are_not_the_declared_type_is_refused_and_its_blob_deleted()
    {
        var client = await factory.NewCustomerAsync();
        var notAJpeg = "GIF89a, not a jpeg at all"u8.ToArray();
        var ticket = await UploadFiles.StartAsync(client, "avatar", "image/jpeg", notAJpeg.Length);
        await (await UploadFiles.PutAsync(ticket, notAJpeg, "image/jpeg")).EnsureStatusAsync(HttpStatusCode.Created);
        var blobName = ticket.GetProperty("blobName").GetString()!;
        Assert.True(await UploadFiles.BlobExistsAsync(factory, blobName));

        var refused = await client.PostAsync($"/api/uploads/{ticket.GetProperty("uploadId").GetString()}/confirm", null);

        var problem = await (await refused.EnsureStatusAsync(HttpStatusCode.BadRequest)).ReadJsonAsync();
        Assert.Equal("upload_content_mismatch", problem.GetProperty("fieldCodes").GetProperty("file")[0].GetString());
        Assert.False(await UploadFiles.BlobExistsAsync(factory, blobName));
    }

    private async Task<string> RefusedCodeAsync(HttpClient client, string kind, string contentType, byte[] bytes)
    {
        var ticket = await UploadFiles.StartAsync(client, kind, contentType, bytes.Length);
        await (await UploadFiles.PutAsync(ticket, bytes, contentType)).EnsureStatusAsync(HttpStatusCode.Created);
        var refused = await client.PostAsync($"/api/uploads/{ticket.GetProperty("uploadId").GetString()}/confirm", null);
        var problem = await (await refused.EnsureStatusAsync(HttpStatusCode.BadRequest)).ReadJsonAsync();
        Assert.False(await UploadFiles.BlobExistsAsync(factory, ticket.GetProperty("blobName").GetString()!));
        return problem.GetProperty("fieldCodes").GetProperty("file")[0].GetString()!;
    }

    /// <summary>A hand-written one-page PDF (with its cross-reference table) whose catalogue carries <paramref name="catalogExtra"/>.</summary>
    private static byte[] PdfWith(string catalogExtra, params string[] extraObjects)
    {
        string[] objects =
        [
            "<< /Type /Catalog /Pages 2 0 R " + catalogExtra + " >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>", .. extraObjects,
        ];
        var pdf = new System.Text.StringBuilder("%PDF-1.7\n");
        var offsets = new List<int>();
        for (var i = 0; i < objects.Length; i++)
        {
            offsets.Add(pdf.Length);
            pdf.Append($"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }

        var xref = pdf.Length;
        pdf.Append($"xref\n0 {objects.Length + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets)
        {
            pdf.Append($"{offset:D10} 00000 n \n");
        }

        pdf.Append($"trailer\n<< /Size {objects.Length + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return System.Text.Encoding.ASCII.GetBytes(pdf.ToString());
    }

    [Fact]
    public async Task Files_that_only_start_like_their_type_are_refused_a_png_header_with_html_a_pdf_with_javascript_or_an_embedded_file()
    {
        // Issue 14 #14: only the first bytes were checked.
        var client = await factory.NewCustomerAsync();
        var pngThenHtml = UploadFiles.Png().Take(8).Concat("<html><script>alert(document.cookie)</script></html>"u8.ToArray()).ToArray();
        Assert.Equal("upload_image_invalid", await RefusedCodeAsync(client, "avatar", "image/png", pngThenHtml));
        var truncated = UploadFiles.Jpeg();
        Assert.Equal("upload_image_invalid", await RefusedCodeAsync(client, "avatar", "image/jpeg", truncated[..(truncated.Length / 2)]));
        // A real picture with a page appended behind it (a polyglot).
        var polyglot = UploadFiles.Png().Concat("<!DOCTYPE html><script>fetch('/steal')</script>"u8.ToArray()).ToArray();
        Assert.Equal("upload_active_content", await RefusedCodeAsync(client, "avatar", "image/png", polyglot));
        // WebP claimed, JPEG sent.
        var jpeg = UploadFiles.Jpeg();
        var webpHeader = "RIFF\0\0\0\0WEBP"u8.ToArray().Concat(jpeg).ToArray();
        Assert.Equal("upload_image_invalid", await RefusedCodeAsync(client, "avatar", "image/webp", webpHeader));

        Assert.Equal("upload_pdf_active_content", await RefusedCodeAsync(client, "business-licence", "application/pdf",
            PdfWith("/OpenAction 4 0 R", "<< /S /JavaScript /JS (app.alert('x')) >>")));
        Assert.Equal("upload_pdf_active_content", await RefusedCodeAsync(client, "business-licence", "application/pdf",
            PdfWith("/Names << /EmbeddedFiles << /Names [(invoice.exe) 4 0 R] >> >>",
                "<< /Type /Filespec /F (invoice.exe) /EF << /F 5 0 R >> >>", "<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream")));
        Assert.Equal("upload_pdf_invalid", await RefusedCodeAsync(client, "business-licence", "application/pdf", "%PDF-1.7\n<html>not a pdf</html>"u8.ToArray()));

        // The same hand-written PDF without them, and a real one, are fine.
        await UploadFiles.UploadAsync(client, "business-licence", "application/pdf", PdfWith(""));
        await UploadFiles.UploadAsync(client, "business-licence", "application/pdf");
    }

    [Fact]
    public async Task A_file_of_another_size_than_declared_is_refused_naming_the_size()
    {
        var client = await factory.NewCustomerAsync();
        var bytes = UploadFiles.Jpeg();
        var ticket = await UploadFiles.StartAsync(client, "review-photo", "image/jpeg", bytes.Length + 1000);
        await (await UploadFiles.PutAsync(ticket, bytes, "image/jpeg")).EnsureStatusAsync(HttpStatusCode.Created);

        var refused = await client.PostAsync($"/api/uploads/{ticket.GetProperty("uploadId").GetString()}/confirm", null);

        var problem = await (await refused.EnsureStatusAsync(HttpStatusCode.BadRequest)).ReadJsonAsync();
        Assert.Equal("upload_size_mismatch", problem.GetProperty("fieldCodes").GetProperty("sizeBytes")[0].GetString());
        Assert.False(await UploadFiles.BlobExistsAsync(factory, ticket.GetProperty("blobName").GetString()!));
    }

    [Fact]
    public async Task Kinds_content_types_and_sizes_are_checked_before_any_url_is_issued()
    {
        var client = await factory.NewCustomerAsync();

        async Task<string> FieldCodeAsync(object body, string field)
        {
            var response = await client.PostAsJsonAsync("/api/uploads", body);
            var problem = await (await response.EnsureStatusAsync(HttpStatusCode.BadRequest)).ReadJsonAsync();
            return problem.GetProperty("fieldCodes").GetProperty(field)[0].GetString()!;
        }

        Assert.Equal("invalid_upload_kind", await FieldCodeAsync(new { kind = "selfie", contentType = "image/jpeg", sizeBytes = 1000 }, "kind"));
        Assert.Equal("content_type_not_allowed", await FieldCodeAsync(new { kind = "avatar", contentType = "application/pdf", sizeBytes = 1000 }, "contentType"));
        Assert.Equal("content_type_not_allowed", await FieldCodeAsync(new { kind = "life-photo", contentType = "image/gif", sizeBytes = 1000 }, "contentType"));
        Assert.Equal("out_of_range", await FieldCodeAsync(new { kind = "avatar", contentType = "image/png", sizeBytes = 5 * 1024 * 1024 + 1 }, "sizeBytes"));
        Assert.Equal("required", await FieldCodeAsync(new { kind = "avatar", contentType = "image/png" }, "sizeBytes"));

        // A PDF certificate may be larger than an image.
        await UploadFiles.StartAsync(client, "health-certificate", "application/pdf", 8 * 1024 * 1024);
    }

    [Fact]
    public async Task The_upload_url_can_only_create_its_one_blob_not_read_list_or_overwrite()
    {
        var client = await factory.NewCustomerAsync();
        var bytes = UploadFiles.Webp();
        var ticket = await UploadFiles.StartAsync(client, "life-photo", "image/webp", bytes.Length);
        await (await UploadFiles.PutAsync(ticket, bytes, "image/webp")).EnsureStatusAsync(HttpStatusCode.Created);
        var uploadUrl = new Uri(ticket.GetProperty("uploadUrl").GetString()!);

        await (await UploadFiles.Blob.GetAsync(uploadUrl)).EnsureStatusAsync(HttpStatusCode.Forbidden);
        await (await UploadFiles.Blob.DeleteAsync(uploadUrl)).EnsureStatusAsync(HttpStatusCode.Forbidden);
        var containerUrl = new UriBuilder(uploadUrl)
        {
            Path = string.Join('/', uploadUrl.AbsolutePath.Split('/')[..3]),
            Query = uploadUrl.Query.TrimStart('?') + "&restype=container&comp=list",
        }.Uri;
        await (await UploadFiles.Blob.GetAsync(containerUrl)).EnsureStatusAsync(HttpStatusCode.Forbidden);
        var otherBlob = new UriBuilder(uploadUrl) { Path = uploadUrl.AbsolutePath + "-other" }.Uri;
        using var elsewhere = new HttpRequestMessage(HttpMethod.Put, otherBlob) { Content = new ByteArrayContent(bytes) };
        elsewhere.Headers.TryAddWithoutValidation("x-ms-blob-type", "BlockBlob");
        await (await UploadFiles.Blob.SendAsync(elsewhere)).EnsureStatusAsync(HttpStatusCode.Forbidden);

        await (await client.PostAsync($"/api/uploads/{ticket.GetProperty("uploadId").GetString()}/confirm", null)).EnsureStatusAsync(HttpStatusCode.OK);
        var overwrite = await UploadFiles.PutAsync(ticket, UploadFiles.Webp(), "image/webp");
        Assert.False(overwrite.IsSuccessStatusCode, $"overwriting a confirmed blob answered {overwrite.StatusCode}");
    }

    [Fact]
    public async Task Another_user_can_neither_confirm_nor_read_my_upload()
    {
        var owner = await factory.NewCustomerAsync();
        var intruder = await factory.NewCustomerAsync();
        var bytes = UploadFiles.Jpeg();
        var ticket = await UploadFiles.StartAsync(owner, "id-card-front", "image/jpeg", bytes.Length);
        await (await UploadFiles.PutAsync(ticket, bytes, "image/jpeg")).EnsureStatusAsync(HttpStatusCode.Created);
        var uploadId = ticket.GetProperty("uploadId").GetString();

        await (await intruder.PostAsync($"/api/uploads/{uploadId}/confirm", null)).EnsureStatusAsync(HttpStatusCode.NotFound);
        await (await intruder.GetAsync($"/api/uploads/{uploadId}")).EnsureStatusAsync(HttpStatusCode.NotFound);
        await (await factory.CreateClient().GetAsync($"/api/uploads/{uploadId}")).EnsureStatusAsync(HttpStatusCode.Unauthorized);

        await (await owner.PostAsync($"/api/uploads/{uploadId}/confirm", null)).EnsureStatusAsync(HttpStatusCode.OK);
        await (await intruder.GetAsync($"/api/uploads/{uploadId}")).EnsureStatusAsync(HttpStatusCode.NotFound);
    }
}

/// <summary>The app with a clock the test moves: expiry without waiting.</summary>
public sealed class FakeClockApiFactory : ApiFactory
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override void ConfigureTestServices(IServiceCollection services) => services.AddSingleton<TimeProvider>(Clock);
}

public sealed class UploadExpiryTests(FakeClockApiFactory factory) : IClassFixture<FakeClockApiFactory>
{
    [Fact]
    public async Task An_upload_not_confirmed_before_its_url_expires_cannot_be_confirmed()
    {
        var client = await factory.NewCustomerAsync();
        var bytes = UploadFiles.Jpeg();
        var ticket = await UploadFiles.StartAsync(client, "avatar", "image/jpeg", bytes.Length);
        await (await UploadFiles.PutAsync(ticket, bytes, "image/jpeg")).EnsureStatusAsync(HttpStatusCode.Created);

        factory.Clock.Advance(TimeSpan.FromMinutes(16));
        var late = await client.PostAsync($"/api/uploads/{ticket.GetProperty("uploadId").GetString()}/confirm", null);

        Assert.Equal("upload_expired", (await (await late.EnsureStatusAsync(HttpStatusCode.Conflict)).ReadJsonAsync()).GetProperty("code").GetString());
        var view = await (await client.GetAsync($"/api/uploads/{ticket.GetProperty("uploadId").GetString()}")).ReadJsonAsync();
        Assert.Equal("pending", view.GetProperty("status").GetString());
        Assert.False(view.TryGetProperty("readUrl", out _));
    }

    [Fact]
    public async Task The_purge_timer_deletes_uploads_abandoned_an_hour_past_expiry_with_their_blobs_and_nothing_else_even_when_run_twice()
    {
        var client = await factory.NewCustomerAsync();
        var bytes = UploadFiles.Jpeg();
        var abandoned = await UploadFiles.StartAsync(client, "avatar", "image/jpeg", bytes.Length);
        await (await UploadFiles.PutAsync(abandoned, bytes, "image/jpeg")).EnsureStatusAsync(HttpStatusCode.Created);
        var neverPut = await UploadFiles.StartAsync(client, "life-photo", "image/jpeg", bytes.Length);
        var kept = await UploadFiles.UploadAsync(client, "life-photo");
        factory.Clock.Advance(TimeSpan.FromMinutes(16));
        var recent = await UploadFiles.StartAsync(client, "avatar", "image/jpeg", bytes.Length);
        await (await UploadFiles.PutAsync(recent, bytes, "image/jpeg")).EnsureStatusAsync(HttpStatusCode.Created);
        // The first two expired 61 minutes ago, the recent one 45 minutes ago.
        factory.Clock.Advance(TimeSpan.FromMinutes(60));

        var first = await factory.InvokeTimerAsync(PurgeUploadsFunction.Name, factory.Clock.GetUtcNow());
        var second = await factory.InvokeTimerAsync(PurgeUploadsFunction.Name, factory.Clock.GetUtcNow());

        Assert.Contains("Purged 0 abandoned uploads", second.Logs);
        Assert.DoesNotContain("Purged 0 abandoned uploads", first.Logs);
        foreach (var gone in new[] { abandoned, neverPut })
        {
            await (await client.GetAsync($"/api/uploads/{gone.GetProperty("uploadId").GetString()}")).EnsureStatusAsync(HttpStatusCode.NotFound);
            Assert.False(await UploadFiles.BlobExistsAsync(factory, gone.GetProperty("blobName").GetString()!));
        }

        var stillPending = await (await (await client.GetAsync($"/api/uploads/{recent.GetProperty("uploadId").GetString()}")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal("pending", stillPending.GetProperty("status").GetString());
        Assert.True(await UploadFiles.BlobExistsAsync(factory, recent.GetProperty("blobName").GetString()!));
        var confirmed = await (await (await client.GetAsync($"/api/uploads/{kept}")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal("confirmed", confirmed.GetProperty("status").GetString());
        await (await UploadFiles.Blob.GetAsync(confirmed.GetProperty("readUrl").GetString())).EnsureStatusAsync(HttpStatusCode.OK);
    }
}
