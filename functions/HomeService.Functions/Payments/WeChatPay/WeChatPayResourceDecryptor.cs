using System.Security.Cryptography;
using System.Text;

namespace HomeService.Functions.Payments.WeChatPay;

/// <summary>AEAD_AES_256_GCM decryption of callback resources (RFC 5116): key = APIv3 key, 12-byte nonce, 16-byte tag appended to the ciphertext.</summary>
public static class WeChatPayResourceDecryptor
{
    public const string Algorithm = "AEAD_AES_256_GCM";
    private const int TagSize = 16;
    private const int NonceSize = 12;

    public static bool TryDecrypt(byte[] apiV3Key, EncryptedResource resource, out string plaintext, out string error)
    {
        plaintext = "";
        if (apiV3Key.Length != 32) { error = "APIv3 key must be 32 bytes"; return false; }
        if (resource.Algorithm != Algorithm) { error = $"Unsupported algorithm {resource.Algorithm}"; return false; }

        var nonce = Encoding.UTF8.GetBytes(resource.Nonce ?? "");
        if (nonce.Length != NonceSize) { error = "Nonce must be 12 bytes"; return false; }

        var buffer = new byte[resource.Ciphertext?.Length ?? 0];
        if (!Convert.TryFromBase64String(resource.Ciphertext ?? "", buffer, out var length) || length < TagSize)
        {
            error = "Ciphertext is not base64 or is shorter than the tag";
            return false;
        }

        var ciphertext = buffer.AsSpan(0, length - TagSize);
        var tag = buffer.AsSpan(length - TagSize, TagSize);
        var plain = new byte[ciphertext.Length];
        try
        {
            using var aes = new AesGcm(apiV3Key, TagSize);
            aes.Decrypt(nonce, ciphertext, tag, plain, Encoding.UTF8.GetBytes(resource.AssociatedData ?? ""));
        }
        catch (AuthenticationTagMismatchException)
        {
            error = "Authentication tag mismatch (wrong APIv3 key or tampered resource)";
            return false;
        }

        plaintext = Encoding.UTF8.GetString(plain);
        error = "";
        return true;
    }
}
