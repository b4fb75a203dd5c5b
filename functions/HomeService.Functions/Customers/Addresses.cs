using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using HomeService.Domain.Common;
using HomeService.Functions.Auth;
using HomeService.Functions.Catalog;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Customers;

public sealed record AddressDocument
{
    public required string Id { get; init; }
    public required string UserId { get; init; }
    public string Type { get; init; } = "address";
    public string? Label { get; init; }
    public required string ContactName { get; init; }
    public required string ContactPhone { get; init; }
    public required string CityId { get; init; }
    public string? District { get; init; }
    public required string Detail { get; init; }
    public required double Latitude { get; init; }
    public required double Longitude { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? UpdatedAt { get; init; }

    [JsonPropertyName("_etag")]
    public string? ETag { get; init; }
}

/// <summary>Which address is the default: one pointer document, so "exactly one default" is a single-document write.</summary>
internal sealed record AddressBookDocument(string Id, string UserId, string Type, string? DefaultAddressId)
{
    public const string DocumentId = "address-book";

    [JsonPropertyName("_etag")]
    public string? ETag { get; init; }
}

public sealed record AddressRequest(
    string? Label, string ContactName, string ContactPhone, string CityId, string? District, string Detail,
    double? Latitude, double? Longitude, bool IsDefault = false);

public sealed record AddressView(
    string Id, string? Label, string ContactName, string ContactPhone, string CityId, string? District, string Detail,
    double Latitude, double Longitude, bool IsDefault, DateTimeOffset CreatedAt, DateTimeOffset? UpdatedAt);

/// <summary>
/// A customer's addresses, all in the customer's own partition of `profiles`: another user's address id
/// is simply not found there, so ownership cannot be bypassed by guessing ids.
/// </summary>
public sealed class Addresses(CosmosDb db, TimeProvider time)
{
    public const int MaxPerCustomer = 20;

    public async Task<IReadOnlyList<AddressView>> ListAsync(string userId, CancellationToken ct)
    {
        var query = new QueryDefinition("SELECT * FROM c WHERE c.userId = @u AND c.type = 'address' ORDER BY c.createdAt DESC").WithParameter("@u", userId);
        var items = await db.Profiles.QueryAllAsync<AddressDocument>(query, userId, ct);
        var book = await ReadBookAsync(userId, ct);
        return items.Select(a => View(a, book?.DefaultAddressId)).ToArray();
    }

    public async Task<(AddressView View, string? ETag)> GetAsync(string userId, string addressId, CancellationToken ct)
    {
        var address = await FindAsync(userId, addressId, ct) ?? throw new NotFoundException("res.address", addressId);
        var book = await ReadBookAsync(userId, ct);
        return (View(address, book?.DefaultAddressId), address.ETag);
    }

    public async Task<(AddressView View, string? ETag)> CreateAsync(string userId, AddressRequest request, CancellationToken ct)
    {
        await ValidateAsync(request, ct);
        var existing = await ListAsync(userId, ct);
        if (existing.Count >= MaxPerCustomer)
        {
            throw ValidationFailedException.For("body", "too_many", MaxPerCustomer);
        }

        var document = ToDocument(userId, $"addr_{Guid.NewGuid():N}", request, time.GetUtcNow());
        var created = (await db.Profiles.CreateItemAsync(document, new PartitionKey(userId), cancellationToken: ct)).Resource;
        // The first address becomes the default, as users expect.
        var defaultId = request.IsDefault || existing.Count == 0
            ? await SetDefaultAsync(userId, created.Id, ct)
            : (await ReadBookAsync(userId, ct))?.DefaultAddressId;
        return (View(created, defaultId), created.ETag);
    }

    public async Task<(AddressView View, string? ETag)> UpdateAsync(string userId, string addressId, string ifMatch, AddressRequest request, CancellationToken ct)
    {
        await ValidateAsync(request, ct);
        var current = await FindAsync(userId, addressId, ct) ?? throw new NotFoundException("res.address", addressId);
        var next = ToDocument(userId, addressId, request, current.CreatedAt) with { UpdatedAt = time.GetUtcNow() };
        var updated = (await db.Profiles.ReplaceItemAsync(next, addressId, new PartitionKey(userId), new ItemRequestOptions { IfMatchEtag = ifMatch }, ct)).Resource;
        var defaultId = request.IsDefault
            ? await SetDefaultAsync(userId, addressId, ct)
            : (await ReadBookAsync(userId, ct))?.DefaultAddressId;
        return (View(updated, defaultId), updated.ETag);
    }

    public async Task DeleteAsync(string userId, string addressId, string ifMatch, CancellationToken ct)
    {
        try
        {
            await db.Profiles.DeleteItemAsync<AddressDocument>(addressId, new PartitionKey(userId), new ItemRequestOptions { IfMatchEtag = ifMatch }, ct);
        }
        catch (CosmosException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            throw new NotFoundException("res.address", addressId);
        }

        var book = await ReadBookAsync(userId, ct);
        if (book?.DefaultAddressId == addressId)
        {
            // Hand the default to the most recent remaining address, if any.
            var remaining = await ListAsync(userId, ct);
            await ReplaceBookAsync(userId, book, remaining.FirstOrDefault()?.Id, ct);
        }
    }

    public async Task<string> SetDefaultAsync(string userId, string addressId, CancellationToken ct)
    {
        _ = await FindAsync(userId, addressId, ct) ?? throw new NotFoundException("res.address", addressId);
        while (true)
        {
            var book = await ReadBookAsync(userId, ct);
            try
            {
                await ReplaceBookAsync(userId, book, addressId, ct);
                return addressId;
            }
            catch (CosmosException e) when (e.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.Conflict)
            {
                // Another default change won; re-read and apply ours on top (last writer wins, never two defaults).
            }
        }
    }

    public async Task<AddressDocument?> FindAsync(string userId, string addressId, CancellationToken ct)
    {
        // Only address ids: the partition also holds favorites and history, which are not addresses.
        if (!addressId.StartsWith("addr_", StringComparison.Ordinal))
        {
            return null;
        }

        return (await db.Profiles.ReadOrNullAsync<AddressDocument>(addressId, userId, ct))?.Resource;
    }

    private async Task ReplaceBookAsync(string userId, AddressBookDocument? book, string? defaultId, CancellationToken ct)
    {
        var next = new AddressBookDocument(AddressBookDocument.DocumentId, userId, "address-book", defaultId);
        if (book is null)
        {
            await db.Profiles.CreateItemAsync(next, new PartitionKey(userId), cancellationToken: ct);
        }
        else
        {
            await db.Profiles.ReplaceItemAsync(next, next.Id, new PartitionKey(userId), new ItemRequestOptions { IfMatchEtag = book.ETag }, ct);
        }
    }

    private async Task<AddressBookDocument?> ReadBookAsync(string userId, CancellationToken ct) =>
        (await db.Profiles.ReadOrNullAsync<AddressBookDocument>(AddressBookDocument.DocumentId, userId, ct))?.Resource;

    private async Task ValidateAsync(AddressRequest request, CancellationToken ct)
    {
        var v = new Validator()
            .Optional("label", request.Label, 20)
            .Required("contactName", request.ContactName, 32)
            .Phone("contactPhone", request.ContactPhone)
            .Required("cityId", request.CityId, 64)
            .Optional("district", request.District, 32)
            .Required("detail", request.Detail, 200);
        if (request.Latitude is null)
        {
            v.Add("latitude", "required");
        }
        else
        {
            v.Range("latitude", request.Latitude.Value, -90, 90);
        }

        if (request.Longitude is null)
        {
            v.Add("longitude", "required");
        }
        else
        {
            v.Range("longitude", request.Longitude.Value, -180, 180);
        }

        v.ThrowIfInvalid();
        var city = (await db.Catalog.ReadOrNullAsync<CityDocument>(request.CityId, CityDocument.Kind, ct))?.Resource
                   ?? throw ValidationFailedException.For("cityId", "unknown_reference");

        // The address must lie in the city: a district it lists (when it lists any), a point within its area.
        var district = request.District?.Trim();
        v.Check(string.IsNullOrEmpty(district) || city.Districts.Count == 0 || city.Districts.Contains(district, StringComparer.Ordinal),
            "district", "unknown_district");
        var distanceKm = new GeoPoint(city.Center.Latitude, city.Center.Longitude)
            .DistanceMetersTo(new GeoPoint(request.Latitude!.Value, request.Longitude!.Value)) / 1000;
        if (distanceKm > city.AreaRadiusKm)
        {
            v.Add("latitude", "outside_city", city.AreaRadiusKm);
            v.Add("longitude", "outside_city", city.AreaRadiusKm);
        }

        v.ThrowIfInvalid();
    }

    private static AddressDocument ToDocument(string userId, string id, AddressRequest r, DateTimeOffset createdAt)
    {
        PhoneNumber.TryNormalize(r.ContactPhone, out var phone);
        return new AddressDocument
        {
            Id = id,
            UserId = userId,
            Label = r.Label?.Trim(),
            ContactName = r.ContactName.Trim(),
            ContactPhone = phone,
            CityId = r.CityId,
            District = r.District?.Trim(),
            Detail = r.Detail.Trim(),
            Latitude = r.Latitude!.Value,
            Longitude = r.Longitude!.Value,
            CreatedAt = createdAt,
        };
    }

    private static AddressView View(AddressDocument a, string? defaultId) =>
        new(a.Id, a.Label, a.ContactName, a.ContactPhone, a.CityId, a.District, a.Detail, a.Latitude, a.Longitude, a.Id == defaultId, a.CreatedAt, a.UpdatedAt);
}

public static class AddressEndpoints
{
    public static RouteGroupBuilder MapAddressEndpoints(this RouteGroupBuilder customer)
    {
        var addresses = customer.MapGroup("/addresses").WithTags("Customer addresses");

        addresses.MapGet("/", async Task<Ok<IReadOnlyList<AddressView>>> (HttpContext http, Addresses store, CancellationToken ct) =>
            TypedResults.Ok(await store.ListAsync(http.User.UserId(), ct))).WithSummary("My addresses");

        addresses.MapGet("/{id}", async Task<Ok<AddressView>> (string id, HttpContext http, Addresses store, CancellationToken ct) =>
        {
            var (view, etag) = await store.GetAsync(http.User.UserId(), id, ct);
            ETags.Set(http.Response, etag);
            return TypedResults.Ok(view);
        }).WithSummary("One of my addresses");

        addresses.MapPost("/", async Task<Created<AddressView>> (AddressRequest request, HttpContext http, Addresses store, CancellationToken ct) =>
        {
            var (view, etag) = await store.CreateAsync(http.User.UserId(), request, ct);
            ETags.Set(http.Response, etag);
            return TypedResults.Created($"/api/customer/addresses/{view.Id}", view);
        }).WithSummary("Add an address (map coordinates required)");

        addresses.MapPut("/{id}", async Task<Ok<AddressView>> (string id, AddressRequest request, HttpContext http, Addresses store, CancellationToken ct) =>
        {
            var ifMatch = ETags.RequireIfMatch(http.Request);
            var (view, etag) = await store.UpdateAsync(http.User.UserId(), id, ifMatch, request, ct);
            ETags.Set(http.Response, etag);
            return TypedResults.Ok(view);
        }).WithSummary("Edit an address (If-Match required)").RequiresIfMatch();

        addresses.MapDelete("/{id}", async Task<NoContent> (string id, HttpContext http, Addresses store, CancellationToken ct) =>
        {
            var ifMatch = ETags.RequireIfMatch(http.Request);
            await store.DeleteAsync(http.User.UserId(), id, ifMatch, ct);
            return TypedResults.NoContent();
        }).WithSummary("Delete an address (If-Match required)").RequiresIfMatch();

        addresses.MapPost("/{id}/default", async Task<Ok<AddressView>> (string id, HttpContext http, Addresses store, CancellationToken ct) =>
        {
            var userId = http.User.UserId();
            await store.SetDefaultAsync(userId, id, ct);
            var (view, etag) = await store.GetAsync(userId, id, ct);
            ETags.Set(http.Response, etag);
            return TypedResults.Ok(view);
        }).WithSummary("Make an address my default");

        return customer;
    }
}
