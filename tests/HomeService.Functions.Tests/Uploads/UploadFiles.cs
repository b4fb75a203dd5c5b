using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HomeService.Functions.Infrastructure.Storage;
using HomeService.Functions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HomeService.Functions.Tests.Uploads;

/// <summary>Uploading the way a client does: ask the API for a SAS, PUT the bytes straight to Azurite, confirm.</summary>
public static class UploadFiles
{
    /// <summary>Talks to Azurite directly, never through the test server.</summary>
    public static readonly HttpClient Blob = new();

    public static async Task<bool> BlobExistsAsync(ApiFactory factory, string blobName)
    {
        var storage = factory.Services.GetRequiredService<StorageClients>();
        return await storage.Blobs.GetBlobContainerClient(storage.UploadsContainer).GetBlobClient(blobName).ExistsAsync();
    }

    public static byte[] Jpeg(int size = 2048) => Sample([0xFF, 0xD8, 0xFF, 0xE0], size);

    public static byte[] Png(int size = 2048) => Sample([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], size);

    public static byte[] Pdf(int size = 4096) => Sample("%PDF-1.7\n"u8.ToArray(), size);

    public static byte[] Webp(int size = 2048)
    {
        var bytes = Sample("RIFF\0\0\0\0WEBP"u8.ToArray(), size);
        BitConverter.TryWriteBytes(bytes.AsSpan(4, 4), size - 8);
        return bytes;
    }

    private static byte[] Sample(byte[] magic, int size)
    {
        var bytes = new byte[size];
        Random.Shared.NextBytes(bytes);
        magic.CopyTo(bytes, 0);
        return bytes;
    }

    public static async Task<JsonElement> StartAsync(HttpClient api, string kind, string contentType, long sizeBytes)
    {
        var response = await api.PostAsJsonAsync("/api/uploads", new { kind, contentType, sizeBytes });
        return await (await response.EnsureStatusAsync(HttpStatusCode.Created)).ReadJsonAsync();
    }

    public static async Task<HttpResponseMessage> PutAsync(JsonElement ticket, byte[] bytes, string contentType)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, ticket.GetProperty("uploadUrl").GetString()) { Content = new ByteArrayContent(bytes) };
        foreach (var header in ticket.GetProperty("requiredHeaders").EnumerateObject())
        {
            request.Headers.TryAddWithoutValidation(header.Name, header.Value.GetString());
        }

        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        return await Blob.SendAsync(request);
    }

    /// <summary>A confirmed upload of the caller; returns its id.</summary>
    public static async Task<string> UploadAsync(HttpClient api, string kind, string contentType = "image/jpeg", byte[]? bytes = null)
    {
        bytes ??= contentType switch
        {
            "image/png" => Png(),
            "application/pdf" => Pdf(),
            "image/webp" => Webp(),
            _ => Jpeg(),
        };
        var ticket = await StartAsync(api, kind, contentType, bytes.Length);
        await (await PutAsync(ticket, bytes, contentType)).EnsureStatusAsync(HttpStatusCode.Created);
        var uploadId = ticket.GetProperty("uploadId").GetString()!;
        await (await api.PostAsync($"/api/uploads/{uploadId}/confirm", null)).EnsureStatusAsync(HttpStatusCode.OK);
        return uploadId;
    }
}
