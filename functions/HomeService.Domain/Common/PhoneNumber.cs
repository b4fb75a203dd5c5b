namespace HomeService.Domain.Common;

/// <summary>Mainland China mobile numbers, normalised to E.164 (+86XXXXXXXXXXX).</summary>
public static class PhoneNumber
{
    public static bool TryNormalize(string? input, out string e164)
    {
        e164 = "";
        if (string.IsNullOrWhiteSpace(input))
        {
            return false;
        }

        Span<char> digits = stackalloc char[16];
        var count = 0;
        foreach (var ch in input.Trim())
        {
            if (char.IsAsciiDigit(ch))
            {
                if (count == digits.Length)
                {
                    return false;
                }

                digits[count++] = ch;
            }
            else if (ch is not (' ' or '-' or '+'))
            {
                return false;
            }
        }

        var number = new string(digits[..count]);
        if (number.Length == 13 && number.StartsWith("86", StringComparison.Ordinal))
        {
            number = number[2..];
        }

        // 11 digits starting 1[3-9]: the mainland mobile plan.
        if (number.Length != 11 || number[0] != '1' || number[1] < '3')
        {
            return false;
        }

        e164 = "+86" + number;
        return true;
    }

    /// <summary>138****5678: enough for a person to recognise, not enough to dial.</summary>
    public static string Mask(string e164)
    {
        var local = e164.StartsWith("+86", StringComparison.Ordinal) ? e164[3..] : e164;
        return local.Length < 7 ? "****" : $"{local[..3]}****{local[^4..]}";
    }
}
