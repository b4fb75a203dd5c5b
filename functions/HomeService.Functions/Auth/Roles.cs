namespace HomeService.Functions.Auth;

/// <summary>A person may hold several roles; each route group requires one of them.</summary>
public static class Roles
{
    public const string Customer = "customer";
    public const string Worker = "worker";
    public const string Merchant = "merchant";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Customer, Worker, Merchant, Admin];
}
