using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace HomeService.Functions.Auth;

public sealed record TokenResponse(string AccessToken, string TokenType, DateTimeOffset ExpiresAt, string UserId, IReadOnlyList<string> Roles);

/// <summary>Issues the app's JWTs and owns the signing key the bearer handler validates with.</summary>
public sealed class TokenService
{
    private readonly AuthOptions _options;
    private readonly TimeProvider _time;

    public TokenService(IOptions<AuthOptions> options, TimeProvider time, IHostEnvironment environment, ILogger<TokenService> logger)
    {
        _options = options.Value;
        _time = time;
        if (string.IsNullOrWhiteSpace(_options.SigningKey))
        {
            if (!environment.IsDevelopment())
            {
                throw new InvalidOperationException("Auth:SigningKey is required outside Development (a Key Vault reference in Azure).");
            }

            if (_options.SigningKeyFile is { Length: > 0 } file)
            {
                SigningKey = new SymmetricSecurityKey(LocalSigningKey.LoadOrCreate(file));
            }
            else
            {
                // Development without a configured key: a fresh random key per process; tokens end with the process.
                logger.LogWarning("Auth:SigningKey is not set; using a random per-process key (Development only)");
                SigningKey = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32));
            }
        }
        else
        {
            var bytes = Convert.FromBase64String(_options.SigningKey);
            if (bytes.Length < 32)
            {
                throw new InvalidOperationException("Auth:SigningKey must be at least 32 bytes (base64).");
            }

            SigningKey = new SymmetricSecurityKey(bytes);
        }
    }

    public SymmetricSecurityKey SigningKey { get; }

    public TokenValidationParameters ValidationParameters => new()
    {
        ValidIssuer = _options.Issuer,
        ValidAudience = _options.Audience,
        IssuerSigningKey = SigningKey,
        ValidateIssuerSigningKey = true,
        ClockSkew = TimeSpan.FromSeconds(30),
        RoleClaimType = "role",
        NameClaimType = "sub",
        // The library reads the system clock by default; expiry must follow the injected TimeProvider.
        LifetimeValidator = (notBefore, expires, _, parameters) =>
        {
            var now = _time.GetUtcNow().UtcDateTime;
            return (notBefore is null || notBefore.Value <= now + parameters.ClockSkew) &&
                   (expires is not null && expires.Value > now - parameters.ClockSkew);
        },
    };

    public TokenResponse Issue(UserDocument user)
    {
        var now = _time.GetUtcNow();
        var expires = now + _options.TokenLifetime;
        var claims = new List<Claim> { new("sub", user.Id) };
        claims.AddRange(user.Roles.Select(r => new Claim("role", r)));
        if (user.WeChatOpenId is { } openId)
        {
            // Who the user pays as (the sandbox lets only a transaction's payer complete it).
            claims.Add(new Claim(ClaimsPrincipalExtensions.WeChatOpenIdClaim, openId));
        }
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = _options.Issuer,
            Audience = _options.Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(SigningKey, SecurityAlgorithms.HmacSha256),
        };
        var token = new JsonWebTokenHandler().CreateToken(descriptor);
        return new TokenResponse(token, "Bearer", expires, user.Id, user.Roles);
    }
}

public static class ClaimsPrincipalExtensions
{
    /// <summary>The signed-in user's id; endpoints behind RequireAuthorization always have it.</summary>
    public const string WeChatOpenIdClaim = "wx_openid";

    public static string? WeChatOpenId(this ClaimsPrincipal principal) => principal.FindFirstValue(WeChatOpenIdClaim);

    public static string UserId(this ClaimsPrincipal principal) =>
        principal.FindFirstValue("sub") ?? throw new Infrastructure.Http.UnauthorizedException();
}

/// <summary>A Development signing key kept in a local file, so a restarted local host still accepts the tokens it issued.</summary>
internal static class LocalSigningKey
{
    public static byte[] LoadOrCreate(string path)
    {
        var key = Convert.FromBase64String(
            Infrastructure.LocalSecretFile.LoadOrCreate(path, () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))).Trim());
        return key.Length >= 32
            ? key
            : throw new InvalidOperationException($"{path} holds a signing key shorter than 32 bytes; delete it to have a new one made.");
    }
}
