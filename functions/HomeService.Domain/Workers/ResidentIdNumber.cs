using System.Globalization;

namespace HomeService.Domain.Workers;

/// <summary>
/// The 18-character PRC resident identity number (GB 11643-1999): 6-digit region, birth date yyyyMMdd,
/// 3-digit sequence, and an ISO 7064 MOD 11-2 check character (0-9 or X).
/// </summary>
public static class ResidentIdNumber
{
    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string CheckCharacters = "10X98765432";

    /// <summary>Upper-cases a trailing x and checks format, birth date and checksum.</summary>
    public static bool TryNormalize(string? raw, out string normalized)
    {
        normalized = (raw ?? "").Trim().ToUpperInvariant();
        if (normalized.Length != 18 || !normalized[..17].All(char.IsAsciiDigit))
        {
            return false;
        }

        if (!DateOnly.TryParseExact(normalized.AsSpan(6, 8), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            return false;
        }

        return normalized[17] == CheckCharacterOf(normalized.AsSpan(0, 17));
    }

    public static char CheckCharacterOf(ReadOnlySpan<char> first17)
    {
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += (first17[i] - '0') * Weights[i];
        }

        return CheckCharacters[sum % 11];
    }

    public static int BirthYearOf(string normalized) => int.Parse(normalized.AsSpan(6, 4), CultureInfo.InvariantCulture);

    /// <summary>Shown instead of the number: the first 3 and last 4 characters, e.g. 110***********1234.</summary>
    public static string Mask(string normalized) => $"{normalized[..3]}{new string('*', 11)}{normalized[^4..]}";
}
