using System.Net;
using System.Net.Http.Json;
using HomeService.Functions.Tests.Support;
using HomeService.Functions.Tests.Uploads;
using HomeService.Functions.Tests.Workers;

namespace HomeService.Functions.Tests.Merchants;

/// <summary>A merchant as its owner makes it through the API: registered, submitted, approved by an admin; staff invites.</summary>
public static class MerchantApi
{
    /// <param name="cityId">The merchant's city (default: a new city with an item).</param>
    public static async Task<(Person Owner, string MerchantId)> RegisteredMerchantAsync(this ApiFactory factory, string name, string? cityId = null)
    {
        cityId ??= (await factory.CityWithItemAsync()).CityId;
        var owner = await factory.PersonAsync();
        var licence = await UploadFiles.UploadAsync(owner.Client, "business-licence", "application/pdf");
        var response = await owner.Client.PostAsJsonAsync("/api/merchant/registration", new
        {
            name,
            licenceNumber = "91310000MA1FL0001X",
            contactName = "陈经理",
            contactPhone = "13912345678",
            cityId,
            address = "静安区南京西路 100 号",
            location = new { latitude = 31.23, longitude = 121.46 },
            licenceUploadId = licence,
        });
        var merchant = await (await response.EnsureStatusAsync(HttpStatusCode.Created)).ReadJsonAsync();
        Assert.Equal("registered", merchant.GetProperty("status").GetString());
        await owner.RefreshAsync();
        return (owner, merchant.GetProperty("id").GetString()!);
    }

    public static async Task<(Person Owner, string MerchantId)> ApprovedMerchantAsync(this ApiFactory factory, string name, string? cityId = null)
    {
        var (owner, merchantId) = await factory.RegisteredMerchantAsync(name, cityId);
        await (await owner.Client.PostAsync("/api/merchant/application/submit", null)).EnsureStatusAsync(HttpStatusCode.OK);
        var admin = await factory.AdminAsync();
        var detail = await (await (await admin.GetAsync($"/api/admin/merchants/{merchantId}")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        var licenceUrl = detail.GetProperty("documentUrls")[0].GetProperty("url").GetString();
        await (await UploadFiles.Blob.GetAsync(licenceUrl)).EnsureStatusAsync(HttpStatusCode.OK);
        await (await admin.DecideAsync("merchants", merchantId, "approve")).EnsureStatusAsync(HttpStatusCode.OK);
        return (owner, merchantId);
    }

    /// <summary>A staff invite code and when it expires.</summary>
    public static async Task<(string Code, DateTimeOffset ExpiresAt)> InviteAsync(this Person owner)
    {
        var response = await owner.Client.PostAsync("/api/merchant/staff/invites", null);
        var invite = await (await response.EnsureStatusAsync(HttpStatusCode.Created)).ReadJsonAsync();
        return (invite.GetProperty("code").GetString()!, invite.GetProperty("expiresAt").GetDateTimeOffset());
    }
}
