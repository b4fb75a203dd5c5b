using HomeService.Domain.Catalog;
using HomeService.Functions.Auth;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HomeService.Functions.Catalog;

/// <summary>What building a document from a request may consult: the store (references) and the clock.</summary>
public sealed record BuildContext(CatalogStore Store, DateTimeOffset Now);

/// <summary>
/// Admin management of cities, categories, items and packages under /api/admin/catalog. Every kind has the
/// same five endpoints; they differ only in how a request becomes a document and what blocks a delete.
/// </summary>
public static class AdminCatalogEndpoints
{
    public const string Prefix = "/api/admin/catalog";

    private static readonly CatalogKind<CityRequest, CityDocument> Cities = new("cities", CityDocument.Kind, "city",
        r => r.Id, BuildCity, c => c, EnsureCityUnusedAsync, ListAll<CityDocument>(CityDocument.Kind));

    private static readonly CatalogKind<CategoryRequest, CategoryDocument> Categories = new("categories", CategoryDocument.Kind, "category",
        r => r.Id, BuildCategoryAsync, c => c, EnsureCategoryUnusedAsync, ListAll<CategoryDocument>(CategoryDocument.Kind));

    private static readonly CatalogKind<ItemRequest, ItemDocument> Items = new("items", ItemDocument.Kind, "service item",
        r => r.Id, BuildItemAsync, i => i with { SearchText = null, PriceKey = null, PopularityKey = null }, EnsureItemUnusedAsync,
        ListPageAsync<ItemDocument>(ItemDocument.Kind, i => i.Id));

    private static readonly CatalogKind<PackageRequest, PackageDocument> Packages = new("packages", PackageDocument.Kind, "package",
        r => r.Id, BuildPackageAsync, p => p, (_, _, _) => Task.CompletedTask, ListPageAsync<PackageDocument>(PackageDocument.Kind, p => p.Id));

    public static RouteGroupBuilder MapAdminCatalogEndpoints(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup(Prefix).WithTags("Catalog").RequireAuthorization(Roles.Admin);

        // The Request Delegate Generator compiles each handler at build time; it needs every handler's types spelled out at
        // its Map call (no type parameters), so each kind's five lambdas name its types and hand over to CatalogKind.
        Cities.Describe(
            admin.MapPost(Cities.Collection, (CityRequest request, CatalogStore store, TimeProvider time, HttpResponse response, CancellationToken ct) => Cities.CreateAsync(request, store, time, response, ct)),
            admin.MapGet(Cities.Collection, (int? pageSize, string? continuationToken, CatalogStore store, CancellationToken ct) => Cities.ListAsync(pageSize, continuationToken, store, ct)),
            admin.MapGet(Cities.Single, (string id, CatalogStore store, HttpContext http, CancellationToken ct) => Cities.ReadAsync(id, store, http, ct)),
            admin.MapPut(Cities.Single, (string id, CityRequest request, CatalogStore store, TimeProvider time, HttpContext http, CancellationToken ct) => Cities.ReplaceAsync(id, request, store, time, http, ct)),
            admin.MapDelete(Cities.Single, (string id, CatalogStore store, HttpContext http, CancellationToken ct) => Cities.DeleteAsync(id, store, http, ct)));
        Categories.Describe(
            admin.MapPost(Categories.Collection, (CategoryRequest request, CatalogStore store, TimeProvider time, HttpResponse response, CancellationToken ct) => Categories.CreateAsync(request, store, time, response, ct)),
            admin.MapGet(Categories.Collection, (int? pageSize, string? continuationToken, CatalogStore store, CancellationToken ct) => Categories.ListAsync(pageSize, continuationToken, store, ct)),
            admin.MapGet(Categories.Single, (string id, CatalogStore store, HttpContext http, CancellationToken ct) => Categories.ReadAsync(id, store, http, ct)),
            admin.MapPut(Categories.Single, (string id, CategoryRequest request, CatalogStore store, TimeProvider time, HttpContext http, CancellationToken ct) => Categories.ReplaceAsync(id, request, store, time, http, ct)),
            admin.MapDelete(Categories.Single, (string id, CatalogStore store, HttpContext http, CancellationToken ct) => Categories.DeleteAsync(id, store, http, ct)));
        Items.Describe(
            admin.MapPost(Items.Collection, (ItemRequest request, CatalogStore store, TimeProvider time, HttpResponse response, CancellationToken ct) => Items.CreateAsync(request, store, time, response, ct)),
            admin.MapGet(Items.Collection, (int? pageSize, string? continuationToken, CatalogStore store, CancellationToken ct) => Items.ListAsync(pageSize, continuationToken, store, ct)),
            admin.MapGet(Items.Single, (string id, CatalogStore store, HttpContext http, CancellationToken ct) => Items.ReadAsync(id, store, http, ct)),
            admin.MapPut(Items.Single, (string id, ItemRequest request, CatalogStore store, TimeProvider time, HttpContext http, CancellationToken ct) => Items.ReplaceAsync(id, request, store, time, http, ct)),
            admin.MapDelete(Items.Single, (string id, CatalogStore store, HttpContext http, CancellationToken ct) => Items.DeleteAsync(id, store, http, ct)));
        Packages.Describe(
            admin.MapPost(Packages.Collection, (PackageRequest request, CatalogStore store, TimeProvider time, HttpResponse response, CancellationToken ct) => Packages.CreateAsync(request, store, time, response, ct)),
            admin.MapGet(Packages.Collection, (int? pageSize, string? continuationToken, CatalogStore store, CancellationToken ct) => Packages.ListAsync(pageSize, continuationToken, store, ct)),
            admin.MapGet(Packages.Single, (string id, CatalogStore store, HttpContext http, CancellationToken ct) => Packages.ReadAsync(id, store, http, ct)),
            admin.MapPut(Packages.Single, (string id, PackageRequest request, CatalogStore store, TimeProvider time, HttpContext http, CancellationToken ct) => Packages.ReplaceAsync(id, request, store, time, http, ct)),
            admin.MapDelete(Packages.Single, (string id, CatalogStore store, HttpContext http, CancellationToken ct) => Packages.DeleteAsync(id, store, http, ct)));
        return admin;
    }

    private delegate Task<TDoc> Build<TRequest, TDoc>(Validator v, TRequest request, string id, TDoc? current, BuildContext context, CancellationToken ct);

    /// <summary>One kind's five endpoints: what they do and what they say of themselves, shared by every kind.</summary>
    private sealed class CatalogKind<TRequest, TDoc>(
        string route, string kind, string noun,
        Func<TRequest, string?> requestedId,
        Build<TRequest, TDoc> build,
        Func<TDoc, TDoc> present,
        Func<string, CatalogStore, CancellationToken, Task> ensureDeletable,
        Func<CatalogStore, ListQuery, CancellationToken, Task<Page<TDoc>>> list)
        where TRequest : class
        where TDoc : class
    {
        public string Collection { get; } = $"/{route}";

        public string Single { get; } = $"/{route}/{{id}}";

        public async Task<Created<TDoc>> CreateAsync(TRequest request, CatalogStore store, TimeProvider time, HttpResponse response, CancellationToken ct)
        {
            var v = new Validator();
            var id = CatalogValidation.ResolveId(v, requestedId(request), kind);
            var document = await build(v, request, id, null, new BuildContext(store, time.GetUtcNow()), ct);
            ETags.Set(response, await store.CreateAsync(kind, id, document, ct));
            return TypedResults.Created($"{Prefix}{Collection}/{id}", present(document));
        }

        public async Task<Ok<Page<TDoc>>> ListAsync(int? pageSize, string? continuationToken, CatalogStore store, CancellationToken ct)
        {
            var page = await list(store, new ListQuery(pageSize, continuationToken), ct);
            return TypedResults.Ok(page with { Items = page.Items.Select(present).ToList() });
        }

        public async Task<Results<Ok<TDoc>, ProblemHttpResult>> ReadAsync(string id, CatalogStore store, HttpContext http, CancellationToken ct)
        {
            var found = await store.FindAsync<TDoc>(kind, id, ct);
            if (found is null)
            {
                return CatalogProblems.NotFound(http, kind, id);
            }

            ETags.Set(http.Response, found.ETag);
            return TypedResults.Ok(present(found.Document));
        }

        public async Task<Ok<TDoc>> ReplaceAsync(string id, TRequest request, CatalogStore store, TimeProvider time, HttpContext http, CancellationToken ct)
        {
            var etag = ETags.RequireIfMatch(http.Request);
            var current = await store.GetAsync<TDoc>(kind, id, ct);
            var v = new Validator();
            v.Check(requestedId(request) is null || requestedId(request) == id, "id", "invalid");
            var document = await build(v, request, id, current.Document, new BuildContext(store, time.GetUtcNow()), ct);
            ETags.Set(http.Response, await store.ReplaceAsync(kind, id, document, etag, ct));
            return TypedResults.Ok(present(document));
        }

        public async Task<NoContent> DeleteAsync(string id, CatalogStore store, HttpContext http, CancellationToken ct)
        {
            var etag = ETags.RequireIfMatch(http.Request);
            await ensureDeletable(id, store, ct);
            await store.DeleteAsync(kind, id, etag, ct);
            return TypedResults.NoContent();
        }

        public void Describe(RouteHandlerBuilder create, RouteHandlerBuilder listAll, RouteHandlerBuilder read, RouteHandlerBuilder replace, RouteHandlerBuilder delete)
        {
            create.WithSummary($"Create a {noun} (id: a slug, or generated when omitted)").ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict);
            listAll.WithSummary($"List every {noun}, active or not");
            read.WithSummary($"Read a {noun} with its ETag").ProducesProblem(StatusCodes.Status404NotFound);
            replace.WithSummary($"Replace a {noun}; needs If-Match with the ETag read (428 without, 412 when stale)").RequiresIfMatch()
                .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound)
                .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status428PreconditionRequired);
            delete.WithSummary($"Delete a {noun}; needs If-Match (409 while something still refers to it)").RequiresIfMatch()
                .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
                .ProducesProblem(StatusCodes.Status412PreconditionFailed).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        }
    }

    /// <summary>Cities and categories are few: the admin list is all of them, in one page.</summary>
    private static Func<CatalogStore, ListQuery, CancellationToken, Task<Page<TDoc>>> ListAll<TDoc>(string kind) =>
        async (store, _, ct) => new Page<TDoc>(await store.AllAsync<TDoc>(kind, ct), null);

    /// <summary>Items and packages can be many: the admin list pages through them by id.</summary>
    private static Func<CatalogStore, ListQuery, CancellationToken, Task<Page<TDoc>>> ListPageAsync<TDoc>(string kind, Func<TDoc, string> idOf) =>
        (store, query, ct) =>
        {
            new Validator().Range("pageSize", query.PageSize ?? CatalogRules.DefaultPageSize, CatalogRules.MinPageSize, CatalogRules.MaxPageSize).ThrowIfInvalid();
            return store.KeysetPageAsync(kind, null, new Dictionary<string, object>(), "id", descending: false, idOf,
                ContinuationTokens.Fingerprint("admin", kind), query.ContinuationToken, query.PageSize ?? CatalogRules.DefaultPageSize, ct);
        };

    /// <summary>An admin list's paging parameters (cities and categories come in one page and ignore them).</summary>
    private sealed record ListQuery(int? PageSize, string? ContinuationToken);

    // ---- cities

    private static Task<CityDocument> BuildCity(Validator v, CityRequest r, string id, CityDocument? current, BuildContext context, CancellationToken ct)
    {
        v.Required("name", r.Name, CatalogRules.NameMaxLength);
        CatalogValidation.Translations(v, "translations", r.Translations, CatalogRules.NameMaxLength);
        if (string.IsNullOrWhiteSpace(r.TimeZone))
        {
            v.Add("timeZone", "required");
        }
        else if (!TimeZoneInfo.TryFindSystemTimeZoneById(r.TimeZone, out var zone) || !zone.HasIanaId)
        {
            v.Add("timeZone", "invalid_time_zone");
        }

        CatalogValidation.Texts(v, "districts", r.Districts, CatalogRules.MaxDistricts, CatalogRules.NameMaxLength);
        if (r.Center is null)
        {
            v.Add("center", "required");
        }
        else
        {
            CatalogValidation.RequiredRange(v, "center.latitude", r.Center.Latitude, -90, 90);
            CatalogValidation.RequiredRange(v, "center.longitude", r.Center.Longitude, -180, 180);
        }

        if (r.AreaRadiusKm is { } radius)
        {
            v.Range("areaRadiusKm", radius, CatalogRules.MinCityAreaRadiusKm, CatalogRules.MaxCityAreaRadiusKm);
        }

        v.ThrowIfInvalid();
        return Task.FromResult(new CityDocument
        {
            Id = id,
            Name = r.Name!.Trim(),
            Translations = CatalogValidation.Trimmed(r.Translations),
            TimeZone = r.TimeZone!,
            Active = r.Active ?? true,
            Districts = r.Districts?.Select(d => d.Trim()).ToList() ?? [],
            Center = new GeoCenter(r.Center!.Latitude!.Value, r.Center.Longitude!.Value),
            AreaRadiusKm = r.AreaRadiusKm ?? CatalogRules.DefaultCityAreaRadiusKm,
            UpdatedAt = context.Now,
        });
    }

    private static async Task EnsureCityUnusedAsync(string id, CatalogStore store, CancellationToken ct)
    {
        if (await store.AnyAsync(ItemDocument.Kind, "ARRAY_CONTAINS(c.cityIds, @id)", "@id", id, ct) ||
            await store.AnyAsync(PackageDocument.Kind, "ARRAY_CONTAINS(c.cityIds, @id)", "@id", id, ct))
        {
            throw new ConflictException("in_use", CatalogStore.Resource(CityDocument.Kind));
        }
    }

    // ---- categories

    private static async Task<CategoryDocument> BuildCategoryAsync(Validator v, CategoryRequest r, string id, CategoryDocument? current, BuildContext context, CancellationToken ct)
    {
        v.Required("name", r.Name, CatalogRules.NameMaxLength);
        CatalogValidation.Translations(v, "translations", r.Translations, CatalogRules.NameMaxLength);
        v.Range("sortOrder", r.SortOrder ?? 0, 0, 10_000);
        if (r.ParentId is not null)
        {
            var parent = await context.Store.FindAsync<CategoryDocument>(CategoryDocument.Kind, r.ParentId, ct);
            var hasChildren = current is not null &&
                              await context.Store.AnyAsync(CategoryDocument.Kind, "c.parentId = @id", "@id", id, ct);
            var problem = CategoryTree.ParentProblem(id, r.ParentId,
                parent is null ? null : Info(parent.Document), hasChildren);
            if (problem is not null)
            {
                v.Add("parentId", problem);
            }
        }
        else if (current?.ParentId is not null &&
                 await context.Store.AnyAsync(ItemDocument.Kind, "c.categoryId = @id", "@id", id, ct))
        {
            // Items belong to second-level categories only; promoting this one would break that.
            v.Add("parentId", "category_has_items");
        }

        v.ThrowIfInvalid();
        return new CategoryDocument
        {
            Id = id,
            ParentId = r.ParentId,
            Name = r.Name!.Trim(),
            Translations = CatalogValidation.Trimmed(r.Translations),
            SortOrder = r.SortOrder ?? 0,
            Active = r.Active ?? true,
            UpdatedAt = context.Now,
        };
    }

    internal static CategoryNodeInfo Info(CategoryDocument c) => new(c.Id, c.ParentId, c.SortOrder, c.Active);

    private static async Task EnsureCategoryUnusedAsync(string id, CatalogStore store, CancellationToken ct)
    {
        if (await store.AnyAsync(CategoryDocument.Kind, "c.parentId = @id", "@id", id, ct))
        {
            throw new ConflictException("category_has_children");
        }

        if (await store.AnyAsync(ItemDocument.Kind, "c.categoryId = @id", "@id", id, ct))
        {
            throw new ConflictException("in_use", CatalogStore.Resource(CategoryDocument.Kind));
        }
    }

    // ---- items

    private static async Task<ItemDocument> BuildItemAsync(Validator v, ItemRequest r, string id, ItemDocument? current, BuildContext context, CancellationToken ct)
    {
        v.Required("name", r.Name, CatalogRules.NameMaxLength);
        CatalogValidation.Translations(v, "translations", r.Translations, CatalogRules.NameMaxLength);
        v.Optional("description", r.Description, CatalogRules.DescriptionMaxLength);
        CatalogValidation.Translations(v, "descriptionTranslations", r.DescriptionTranslations, CatalogRules.DescriptionMaxLength);
        CatalogValidation.Texts(v, "processSteps", r.ProcessSteps, CatalogRules.MaxSteps, CatalogRules.StepMaxLength);
        CatalogValidation.Texts(v, "tools", r.Tools, CatalogRules.MaxTools, CatalogRules.NameMaxLength);
        CatalogValidation.RequiredRange(v, "durationMinutes", r.DurationMinutes, CatalogRules.MinDurationMinutes, CatalogRules.MaxDurationMinutes);
        v.Range("bufferMinutes", r.BufferMinutes ?? 0, CatalogRules.MinBufferMinutes, CatalogRules.MaxBufferMinutes);
        CatalogValidation.RequiredRange(v, "priceFen", r.PriceFen, CatalogRules.MinPriceFen, CatalogRules.MaxPriceFen);
        v.Range("popularity", r.Popularity ?? 0, 0, long.MaxValue);
        var travel = r.ExtraFees?.Travel;
        v.Range("extraFees.travel.freeWithinKm", travel?.FreeWithinKm ?? 0, 0, CatalogRules.MaxFreeTravelKm);
        v.Range("extraFees.travel.perKmFen", travel?.PerKmFen ?? 0, 0, CatalogRules.MaxPriceFen);
        v.Range("extraFees.travel.capFen", travel?.CapFen ?? 0, 0, CatalogRules.MaxPriceFen);
        v.Range("extraFees.materialsFen", r.ExtraFees?.MaterialsFen ?? 0, 0, CatalogRules.MaxPriceFen);
        CatalogValidation.Texts(v, "images", r.Images, CatalogRules.MaxImages, 500);
        for (var i = 0; i < (r.Images?.Count ?? 0); i++)
        {
            v.Check(!(r.Images![i]?.Any(char.IsWhiteSpace) ?? false), $"images[{i}]", "invalid");
        }

        await CheckCategoryIsLeafAsync(v, r.CategoryId, context.Store, ct);
        await CheckCitiesAsync(v, r.CityIds, context.Store, ct);
        v.ThrowIfInvalid();

        var name = r.Name!.Trim();
        var description = r.Description?.Trim() ?? "";
        var popularity = current?.Popularity ?? r.Popularity ?? 0;
        return new ItemDocument
        {
            Id = id,
            Name = name,
            Translations = CatalogValidation.Trimmed(r.Translations),
            Description = description,
            DescriptionTranslations = CatalogValidation.Trimmed(r.DescriptionTranslations),
            ProcessSteps = r.ProcessSteps?.Select(s => s.Trim()).ToList() ?? [],
            Tools = r.Tools?.Select(s => s.Trim()).ToList() ?? [],
            CategoryId = r.CategoryId!,
            DurationMinutes = r.DurationMinutes!.Value,
            BufferMinutes = r.BufferMinutes ?? 0,
            PriceFen = r.PriceFen!.Value,
            ExtraFees = new ExtraFees(new TravelFeeRule(travel?.FreeWithinKm ?? 0, travel?.PerKmFen ?? 0, travel?.CapFen ?? 0), r.ExtraFees?.MaterialsFen ?? 0),
            Images = r.Images?.Select(s => s.Trim()).ToList() ?? [],
            CityIds = r.CityIds!,
            Active = r.Active ?? true,
            // Orders raise popularity; an edit of the item's description must not reset it.
            Popularity = popularity,
            // The rating comes from reviews (the daily refresh); an edit keeps it.
            RatingAverage = current?.RatingAverage ?? 0,
            RatingCount = current?.RatingCount ?? 0,
            SearchText = Localization.SearchText([name, .. r.Translations?.Values ?? Enumerable.Empty<string>(), description, .. r.DescriptionTranslations?.Values ?? Enumerable.Empty<string>()]),
            PriceKey = SortKeys.Price(r.PriceFen!.Value, id),
            PopularityKey = SortKeys.Popularity(popularity, id),
            UpdatedAt = context.Now,
        };
    }

    private static async Task CheckCategoryIsLeafAsync(Validator v, string? categoryId, CatalogStore store, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(categoryId))
        {
            v.Add("categoryId", "required");
            return;
        }

        var category = await store.FindAsync<CategoryDocument>(CategoryDocument.Kind, categoryId, ct);
        if (category is null)
        {
            v.Add("categoryId", "unknown_reference");
        }
        else if (category.Document.ParentId is null)
        {
            v.Add("categoryId", "category_not_leaf");
        }
    }

    private static async Task CheckCitiesAsync(Validator v, List<string>? cityIds, CatalogStore store, CancellationToken ct)
    {
        CatalogValidation.Ids(v, "cityIds", cityIds, CatalogRules.MaxCities, required: true);
        if (cityIds is not { Count: > 0 })
        {
            return;
        }

        var existing = await store.ExistingIdsAsync(CityDocument.Kind, cityIds, ct);
        for (var i = 0; i < cityIds.Count; i++)
        {
            if (CatalogRules.IsSlug(cityIds[i]) && !existing.Contains(cityIds[i]))
            {
                v.Add($"cityIds[{i}]", "unknown_reference");
            }
        }
    }

    private static async Task EnsureItemUnusedAsync(string id, CatalogStore store, CancellationToken ct)
    {
        var query = CatalogStore.Query(PackageDocument.Kind, "ARRAY_CONTAINS(c.items, {\"itemId\": @id}, true)", select: "TOP 1 VALUE c.id").WithParameter("@id", id);
        if ((await store.QueryAsync<string>(PackageDocument.Kind, query, ct)).Count > 0)
        {
            throw new ConflictException("in_use", CatalogStore.Resource(ItemDocument.Kind));
        }
    }

    // ---- packages

    private static async Task<PackageDocument> BuildPackageAsync(Validator v, PackageRequest r, string id, PackageDocument? current, BuildContext context, CancellationToken ct)
    {
        v.Required("name", r.Name, CatalogRules.NameMaxLength);
        CatalogValidation.Translations(v, "translations", r.Translations, CatalogRules.NameMaxLength);
        v.Optional("description", r.Description, CatalogRules.DescriptionMaxLength);
        CatalogValidation.Translations(v, "descriptionTranslations", r.DescriptionTranslations, CatalogRules.DescriptionMaxLength);
        CatalogValidation.RequiredRange(v, "priceFen", r.PriceFen, CatalogRules.MinPriceFen, CatalogRules.MaxPriceFen);
        if (r.Items is not { Count: > 0 })
        {
            v.Add("items", "required");
        }
        else
        {
            v.Check(r.Items.Count <= CatalogRules.MaxPackageItems, "items", "too_many", CatalogRules.MaxPackageItems);
            v.Check(r.Items.Select(l => l.ItemId).Distinct(StringComparer.Ordinal).Count() == r.Items.Count, "items", "duplicate");
            var existing = await context.Store.ExistingIdsAsync(ItemDocument.Kind, r.Items.Select(l => l.ItemId).OfType<string>(), ct);
            for (var i = 0; i < r.Items.Count; i++)
            {
                var line = r.Items[i];
                if (string.IsNullOrWhiteSpace(line.ItemId))
                {
                    v.Add($"items[{i}].itemId", "required");
                }
                else if (!existing.Contains(line.ItemId))
                {
                    v.Add($"items[{i}].itemId", "unknown_reference");
                }

                CatalogValidation.RequiredRange(v, $"items[{i}].quantity", line.Quantity, CatalogRules.MinQuantity, CatalogRules.MaxQuantity);
            }
        }

        await CheckCitiesAsync(v, r.CityIds, context.Store, ct);
        v.ThrowIfInvalid();
        return new PackageDocument
        {
            Id = id,
            Name = r.Name!.Trim(),
            Translations = CatalogValidation.Trimmed(r.Translations),
            Description = r.Description?.Trim() ?? "",
            DescriptionTranslations = CatalogValidation.Trimmed(r.DescriptionTranslations),
            Items = r.Items!.Select(l => new PackageLine(l.ItemId!, l.Quantity!.Value)).ToList(),
            PriceFen = r.PriceFen!.Value,
            CityIds = r.CityIds!,
            Active = r.Active ?? true,
            UpdatedAt = context.Now,
        };
    }
}
