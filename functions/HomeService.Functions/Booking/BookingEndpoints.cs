using HomeService.Domain.Orders;
using HomeService.Functions.Auth;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;

using HomeService.Functions.Orders;

namespace HomeService.Functions.Booking;

/// <summary>Customer booking and order endpoints (/api/customer/orders).</summary>
public static class BookingEndpoints
{

    public static IEndpointRouteBuilder MapBookingEndpoints(this IEndpointRouteBuilder routes)
    {
        var orders = routes.MapGroup("/api/customer/orders").WithTags("Booking").RequireAuthorization(Roles.Customer);

        orders.MapPost("/", async Task<Results<Created<OrderView>, Ok<OrderView>>> (BookingRequest request, HttpContext http, BookingService booking, CancellationToken ct) =>
        {
            var key = IdempotencyRecords.RequireKey(http.Request);
            var (order, created) = await booking.BookAsync(http.User.UserId(), key, request, ct);
            var view = OrderView.Of(order, http.RequestLanguageTag());
            return created ? TypedResults.Created($"/api/customer/orders/{order.Id}", view) : TypedResults.Ok(view);
        }).WithSummary("Book an item at one of my addresses and a start (Idempotency-Key required); answers the order in PendingPayment with its price").RequiresIdempotencyKey()
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        orders.MapPost("/recurring", async Task<Results<Created<SeriesView>, Ok<SeriesView>>> (RecurringBookingRequest request, HttpContext http, BookingService booking, CancellationToken ct) =>
        {
            var key = IdempotencyRecords.RequireKey(http.Request);
            var (series, created) = await booking.BookSeriesAsync(http.User.UserId(), key, request, http.RequestLanguageTag(), ct);
            return created ? TypedResults.Created($"/api/customer/orders?seriesId={series.SeriesId}", series) : TypedResults.Ok(series);
        }).WithSummary("Book a weekly / every-2 / every-3-weeks series: one order per occurrence; occurrences that cannot be held are listed in skipped").RequiresIdempotencyKey()
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        orders.MapGet("/", async Task<Ok<Page<OrderView>>> (string? status, string? continuationToken, string? pageSize, HttpContext http, CosmosDb db, CancellationToken ct) =>
        {
            var me = http.User.UserId();
            var (filter, size) = OrderListQuery.Parse(status, pageSize);
            var where = "c.type = @type AND c.customerId = @me" + (filter is null ? "" : " AND c.status = @status");
            var parameters = new Dictionary<string, object?> { ["@type"] = OrderDocument.Kind, ["@me"] = me };
            if (filter is { } s)
            {
                parameters["@status"] = System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(s.ToString());
            }

            // Orders are partitioned by id, so this is a cross-partition query; the customer filter in the text scopes it.
            var page = await db.Orders.KeysetPageAsync<OrderDocument>(null!, where, parameters, "createdKey", descending: true, o => o.CreatedKey,
                ContinuationTokens.Fingerprint("my-orders", me, filter), continuationToken, size, ct);
            return TypedResults.Ok(new Page<OrderView>([.. page.Items.Select(o => OrderView.Of(o, http.RequestLanguageTag()))], page.ContinuationToken));
        }).WithSummary("My orders, newest first (filter by status; keyset continuation paging)");

        orders.MapGet("/{id}", async Task<Ok<OrderView>> (string id, HttpContext http, OrderChanges changes, CancellationToken ct) =>
            TypedResults.Ok(OrderView.Of(await changes.GetMineAsync(http.User.UserId(), id, ct), http.RequestLanguageTag())))
            .WithSummary("One of my orders").ProducesProblem(StatusCodes.Status404NotFound);

        // The body (a reason) is optional: a bare POST cancels too.
        orders.MapPost("/{id}/cancel", async Task<Ok<OrderView>> (string id, CancelRequest? request, HttpContext http, OrderChanges changes, CancellationToken ct) =>
        {
            new Validator().Optional("reason", request?.Reason, 200).ThrowIfInvalid();
            var reason = string.IsNullOrWhiteSpace(request?.Reason) ? "customer_request" : request.Reason.Trim();
            return TypedResults.Ok(OrderView.Of(await changes.CancelAsync(http.User.UserId(), id, reason, ct), http.RequestLanguageTag()));
        }).WithSummary("Cancel my order: free before acceptance, then per the city policy; releases the worker's time")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        orders.MapPost("/{id}/reschedule", async Task<Ok<OrderView>> (string id, RescheduleRequest request, HttpContext http, OrderChanges changes, CancellationToken ct) =>
        {
            new Validator().Check(request.Start is not null, "start", "required").ThrowIfInvalid();
            return TypedResults.Ok(OrderView.Of(await changes.RescheduleAsync(http.User.UserId(), id, request.Start!.Value, ct), http.RequestLanguageTag()));
        }).WithSummary("Move my order to another start with the same worker; the old time stays held until the new one is")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        return routes;
    }
}
