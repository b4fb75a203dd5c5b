namespace HomeService.Domain.Catalog;

/// <summary>Catalog text is written once (usually Chinese) with optional translations keyed by language tag.</summary>
public static class Localization
{
    /// <summary>
    /// The translation for <paramref name="languageTag"/> when one exists: an exact tag first ("zh-CN"), then one
    /// sharing its primary language ("zh" or "zh-Hans" for "zh-CN"); otherwise the text as written.
    /// </summary>
    public static string Pick(string text, IReadOnlyDictionary<string, string>? translations, string languageTag)
    {
        if (translations is null || translations.Count == 0)
        {
            return text;
        }

        foreach (var (tag, value) in translations)
        {
            if (string.Equals(tag, languageTag, StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(value))
            {
                return value;
            }
        }

        var primary = Primary(languageTag);
        foreach (var (tag, value) in translations)
        {
            if (string.Equals(Primary(tag), primary, StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(value))
            {
                return value;
            }
        }

        return text;
    }

    /// <summary>Lower-cased text a keyword search matches against: every language of the name and description.</summary>
    public static string SearchText(IEnumerable<string?> texts) =>
        string.Join('\n', texts.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t!.Trim().ToLowerInvariant()));

    public static string NormalizeKeyword(string keyword) => keyword.Trim().ToLowerInvariant();

    private static string Primary(string tag)
    {
        var dash = tag.IndexOf('-', StringComparison.Ordinal);
        return dash < 0 ? tag : tag[..dash];
    }
}
