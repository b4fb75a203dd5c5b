using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HomeService.Functions.Infrastructure.Storage;
using HomeService.Functions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using SkiaSharp;

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

    // Real files, each different: the server decodes images completely and parses PDFs (UploadContent).
    public static byte[] Jpeg(int side = 48) => Picture(SKEncodedImageFormat.Jpeg, side);

    public static byte[] Png(int side = 48) => Picture(SKEncodedImageFormat.Png, side);

    public static byte[] Webp(int side = 48) => Picture(SKEncodedImageFormat.Webp, side);

    /// <summary>A one-page PDF (PdfPig's writer).</summary>
    public static byte[] Pdf()
    {
        var builder = new UglyToad.PdfPig.Writer.PdfDocumentBuilder();
        builder.AddPage(UglyToad.PdfPig.Content.PageSize.A4);
        return builder.Build();
    }

    private static byte[] Picture(SKEncodedImageFormat format, int side)
    {
        using var bitmap = new SKBitmap(side, side);
        var pixels = new byte[side * side * 4];
        Random.Shared.NextBytes(pixels);
        for (var i = 3; i < pixels.Length; i += 4)
        {
            pixels[i] = 0xFF;
        }

        System.Runtime.InteropServices.Marshal.Copy(pixels, 0, bitmap.GetPixels(), pixels.Length);
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, 90);
        return data.ToArray();
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
