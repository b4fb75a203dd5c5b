using System.Text;
using SkiaSharp;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Tokens;

namespace HomeService.Functions.Uploads;

/// <summary>
/// What a confirmed upload must be beyond its first bytes: an image that decodes completely in the format it claims
/// (Skia) with no markup hidden in it, or a PDF that parses (PdfPig) and carries no JavaScript, embedded files or
/// launch / import / submit actions. Returns the field code of the problem, or null when the file is acceptable.
/// </summary>
public static class UploadContent
{
    /// <summary>Decoding larger pictures would cost more memory than a photo of a certificate needs (≈ 40 megapixels).</summary>
    public const long MaxImagePixels = 40_000_000;

    private static readonly byte[][] Markup =
        [.. new[] { "<script", "<html", "<!doctype", "<svg", "<?php", "<iframe", "<body", "javascript:" }.Select(Encoding.ASCII.GetBytes)];

    private static readonly byte[][] PdfActiveNames =
        [.. new[] { "/JavaScript", "/JS", "/EmbeddedFile", "/EmbeddedFiles", "/EF", "/Launch", "/ImportData", "/SubmitForm", "/RichMedia" }.Select(Encoding.ASCII.GetBytes)];

    private static readonly HashSet<string> ForbiddenPdfKeys = new(StringComparer.Ordinal) { "JS", "JavaScript", "EmbeddedFiles", "EF", "RichMediaContent" };
    private static readonly HashSet<string> ForbiddenPdfActions = new(StringComparer.Ordinal) { "JavaScript", "Launch", "ImportData", "SubmitForm", "RichMediaExecute" };

    public static string? ProblemOf(string contentType, byte[] file) => contentType == "application/pdf" ? PdfProblem(file) : ImageProblem(contentType, file);

    private static string? ImageProblem(string contentType, byte[] file)
    {
        SKEncodedImageFormat expected = contentType switch
        {
            "image/jpeg" => SKEncodedImageFormat.Jpeg,
            "image/png" => SKEncodedImageFormat.Png,
            "image/webp" => SKEncodedImageFormat.Webp,
            _ => throw new ArgumentOutOfRangeException(nameof(contentType), contentType, "Not an image type."),
        };

        using var data = SKData.CreateCopy(file);
        using var codec = SKCodec.Create(data);
        if (codec is null || codec.EncodedFormat != expected)
        {
            return "upload_image_invalid";
        }

        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0 || (long)info.Width * info.Height > MaxImagePixels)
        {
            return "upload_image_too_large";
        }

        // The whole picture must decode: a valid header followed by anything else (HTML, a truncated body) does not.
        var target = new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var bitmap = new SKBitmap(target);
        if (codec.GetPixels(target, bitmap.GetPixels()) != SKCodecResult.Success)
        {
            return "upload_image_invalid";
        }

        // A picture that decodes may still carry a page for a browser after it (a polyglot).
        return ContainsAny(Lower(file), Markup) ? "upload_active_content" : null;
    }

    private static string? PdfProblem(byte[] file)
    {
        // Names written plainly anywhere in the file, then every object as the parser resolves it (object streams included).
        if (PdfActiveNames.Any(name => ContainsName(file, name)))
        {
            return "upload_pdf_active_content";
        }

        try
        {
            using var document = PdfDocument.Open(file);
            if (document.NumberOfPages < 1)
            {
                return "upload_pdf_invalid";
            }

            foreach (var reference in document.Structure.CrossReferenceTable.ObjectOffsets.Keys)
            {
                var token = document.Structure.GetObject(reference).Data;
                if (IsActive(token, depth: 0))
                {
                    return "upload_pdf_active_content";
                }
            }

            return IsActive(document.Structure.Catalog.CatalogDictionary, depth: 0) ? "upload_pdf_active_content" : null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // PdfPig throws its own exception types for files it cannot read; none of them is a PDF we keep.
            return "upload_pdf_invalid";
        }
    }

    private static bool IsActive(IToken token, int depth)
    {
        if (depth > 32)
        {
            return true; // nesting no real document has
        }

        switch (token)
        {
            case StreamToken stream:
                return IsActive(stream.StreamDictionary, depth + 1);
            case DictionaryToken dictionary:
                foreach (var (key, value) in dictionary.Data)
                {
                    if (ForbiddenPdfKeys.Contains(key)
                        || (key == "S" && value is NameToken action && ForbiddenPdfActions.Contains(action.Data))
                        || (key == "Type" && value is NameToken type && type.Data == "EmbeddedFile")
                        || IsActive(value, depth + 1))
                    {
                        return true;
                    }
                }

                return false;
            case ArrayToken array:
                return array.Data.Any(t => IsActive(t, depth + 1));
            default:
                return false;
        }
    }

    private static byte[] Lower(byte[] file)
    {
        var lower = new byte[file.Length];
        for (var i = 0; i < file.Length; i++)
        {
            var b = file[i];
            lower[i] = b is >= (byte)'A' and <= (byte)'Z' ? (byte)(b | 0x20) : b;
        }

        return lower;
    }

    /// <summary>A PDF name token: the bytes, then a delimiter or white space (so /JS is found, /JSON is not).</summary>
    private static bool ContainsName(byte[] file, byte[] name)
    {
        var span = file.AsSpan();
        for (var at = span.IndexOf(name); at >= 0; )
        {
            var end = at + name.Length;
            if (end >= span.Length || span[end] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t' or (byte)'\f' or 0
                    or (byte)'/' or (byte)'(' or (byte)'<' or (byte)'>' or (byte)'[' or (byte)']' or (byte)'{' or (byte)'}' or (byte)'%')
            {
                return true;
            }

            var next = span[end..].IndexOf(name);
            at = next < 0 ? -1 : end + next;
        }

        return false;
    }

    private static bool ContainsAny(byte[] haystack, byte[][] needles) => needles.Any(n => haystack.AsSpan().IndexOf(n) >= 0);
}
