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

    /// <summary>
    /// The text a keyword search matches against: every language of the name and description, one per line, as
    /// lower-cased terms joined by one space ("quick kitchen clean\n厨房快速保洁"). A term is a run of letters and
    /// digits of a spaced script, or a run of CJK characters (written without spaces between words, so a Chinese
    /// keyword matches inside a run, as 厨房 inside 厨房快速保洁).
    /// </summary>
    public static string SearchText(IEnumerable<string?> texts) =>
        string.Join('\n', texts.Select(t => string.Join(' ', Terms(t ?? ""))).Where(t => t.Length > 0));

    public static string NormalizeKeyword(string keyword) => keyword.Trim().ToLowerInvariant();

    /// <summary>
    /// Strings of which one must occur in " " + <see cref="SearchText"/> + " " for a keyword to match whole terms:
    /// its terms joined by one space, bounded by a space or a line break on each side that is a spaced-script term,
    /// so "ac" matches "ac cleaning" but not "surface" or "back"; empty when the keyword has no term (only punctuation).
    /// </summary>
    public static IReadOnlyList<string> KeywordPatterns(string keyword)
    {
        var terms = Terms(keyword);
        if (terms.Count == 0)
        {
            return [];
        }

        var phrase = string.Join(' ', terms);
        string[] left = IsCjk(terms[0][0]) ? [""] : [" ", "\n"];
        string[] right = IsCjk(terms[^1][^1]) ? [""] : [" ", "\n"];
        return [.. left.SelectMany(l => right.Select(r => l + phrase + r))];
    }

    private static List<string> Terms(string text)
    {
        var terms = new List<string>();
        var term = new System.Text.StringBuilder();
        bool? cjkRun = null;
        foreach (var c in text.ToLowerInvariant())
        {
            bool? kind = IsCjk(c) ? true : char.IsLetterOrDigit(c) ? false : null;
            if (kind != cjkRun && term.Length > 0)
            {
                terms.Add(term.ToString());
                term.Clear();
            }

            cjkRun = kind;
            if (kind is not null)
            {
                term.Append(c);
            }
        }

        if (term.Length > 0)
        {
            terms.Add(term.ToString());
        }

        return terms;
    }

    /// <summary>Han, kana and Hangul: scripts written without spaces between words.</summary>
    private static bool IsCjk(char c) =>
        c is >= '\u3040' and <= '\u30FF' or >= '\u3400' and <= '\u4DBF' or >= '\u4E00' and <= '\u9FFF'
            or >= '\uAC00' and <= '\uD7AF' or >= '\uF900' and <= '\uFAFF';

    private static string Primary(string tag)
    {
        var dash = tag.IndexOf('-', StringComparison.Ordinal);
        return dash < 0 ? tag : tag[..dash];
    }
}
