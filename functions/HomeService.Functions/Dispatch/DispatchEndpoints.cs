using System.Text.Json;
using HomeService.Domain.Orders;
using HomeService.Functions.Auth;
using HomeService.Functions.Booking;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;

using HomeService.Functions.Orders;

namespace HomeService.Functions.Dispatch;

/// <summary>
/// Dispatch and the visit: worker actions and order list (/api/worker/orders), the grab pool (/api/worker/pool), customer
/// tracking, confirmation and after-sale (/api/customer/orders/{id}/…), admin manual dispatch (/api/admin/orders).
/// </summary>
public static class DispatchEndpoints
{

    public static IEndpointRouteBuilder MapDispatchEndpoints(this IEndpointRouteBuilder routes)
    {
        MapWorker(routes);
        MapCustomer(routes);
        MapAdmin(routes);
        return routes;
    }

    private static void MapWorker(IEndpointRouteBuilder routes)
    {
        var orders = routes.MapGroup("/api/worker/orders").WithTags("Worker orders").RequireAuthorization(Roles.Worker);

        orders.MapGet("/{id}", async Task<Ok<WorkerOrderView>> (string id, HttpContext http, WorkerOrderViews views, OrderActions actions, CancellationToken ct) =>
        {
            var me = http.User.UserId();
            return TypedResults.Ok(await views.OfAsync(await actions.ForWorkerAsync(me, id, ct), me, http.RequestLanguageTag(), ct));
        }).WithSummary("An order offered or assigned to me (or that I declined or held): before I accept, its district and distance only")
            .ProducesProblem(StatusCodes.Status404NotFound);

        orders.MapGet("/", async Task<Ok<Page<WorkerOrderView>>> (string? status, string? continuationToken, string? pageSize, HttpContext http, WorkerOrderViews views, CosmosDb db, CancellationToken ct) =>
        {
            var me = http.User.UserId();
            var (filter, size) = OrderListQuery.Parse(status, pageSize);
            var where = "c.type = @type AND (c.state.offeredToWorkerId = @me OR c.state.currentWorkerId = @me)" + (filter is null ? "" : " AND c.status = @status");
            var parameters = new Dictionary<string, object?> { ["@type"] = OrderDocument.Kind, ["@me"] = me };
            if (filter is { } s)
            {
                parameters["@status"] = JsonNamingPolicy.CamelCase.ConvertName(s.ToString());
            }

            var page = await db.Orders.KeysetPageAsync<OrderDocument>(null, where, parameters, "createdKey", descending: true, o => o.CreatedKey,
                ContinuationTokens.Fingerprint("worker-orders", me, filter), continuationToken, size, ct);
            return TypedResults.Ok(new Page<WorkerOrderView>([.. await views.OfAsync(page.Items, me, http.RequestLanguageTag(), ct)], page.ContinuationToken));
        }).WithSummary("Orders offered or assigned to me, newest first (status=offered for open offers; keyset continuation paging)")
            .ProducesValidationProblem();

        orders.MapPost("/{id}/accept", (string id, HttpContext http, WorkerOrderViews views, OrderActions actions, CancellationToken ct) =>
            WorkerAsync(http, views, id, actions, me => now => new Accept(me, now), ct))
            .WithSummary("Accept the order offered to me (before the acceptance deadline)").ProducesWorkerProblems();

        orders.MapPost("/{id}/reject", async Task<Ok<WorkerOrderView>> (string id, RejectRequest request, HttpContext http, WorkerOrderViews views, OrderActions actions, CancellationToken ct) =>
        {
            var me = http.User.UserId();
            return TypedResults.Ok(await views.OfAsync(await actions.RejectAsync(me, id, request, ct), me, http.RequestLanguageTag(), ct));
        }).WithSummary("Reject the order offered to me, with a reason; it goes to the next candidate").ProducesWorkerProblems();

        orders.MapPost("/{id}/on-the-way", async Task<Ok<WorkerOrderView>> (string id, LocationRequest request, HttpContext http, WorkerOrderViews views, OrderActions actions, CancellationToken ct) =>
        {
            var me = http.User.UserId();
            return TypedResults.Ok(await views.OfAsync(await actions.TravelAsync(me, id, request, start: true, ct), me, http.RequestLanguageTag(), ct));
        }).WithSummary("Set off, from where I am: the customer sees my position and an ETA from the city's travel rules").ProducesWorkerProblems();

        orders.MapPost("/{id}/location", async Task<Ok<WorkerOrderView>> (string id, LocationRequest request, HttpContext http, WorkerOrderViews views, OrderActions actions, CancellationToken ct) =>
        {
            var me = http.User.UserId();
            return TypedResults.Ok(await views.OfAsync(await actions.TravelAsync(me, id, request, start: false, ct), me, http.RequestLanguageTag(), ct));
        }).WithSummary("Update my position while on the way (the ETA is recomputed)").ProducesWorkerProblems();

        orders.MapPost("/{id}/arrived", async Task<Ok<WorkerOrderView>> (string id, LocationRequest? request, HttpContext http, WorkerOrderViews views, OrderActions actions, CancellationToken ct) =>
        {
            var me = http.User.UserId();
            return TypedResults.Ok(await views.OfAsync(await actions.VisitAsync(me, id, VisitStep.Arrive, request, ct), me, http.RequestLanguageTag(), ct));
        }).WithSummary("I have arrived, from where I am: around the booked time and at the address (the city's visit rules), else 409 naming the rule")
            .ProducesWorkerProblems();

        orders.MapPost("/{id}/start", async Task<Ok<WorkerOrderView>> (string id, LocationRequest? request, HttpContext http, WorkerOrderViews views, OrderActions actions, CancellationToken ct) =>
        {
            var me = http.User.UserId();
            return TypedResults.Ok(await views.OfAsync(await actions.VisitAsync(me, id, VisitStep.Start, request, ct), me, http.RequestLanguageTag(), ct));
        }).WithSummary("Start the service, from where I am (the same visit rules)").ProducesWorkerProblems();

        orders.MapPost("/{id}/complete", async Task<Ok<WorkerOrderView>> (string id, CompleteRequest request, HttpContext http, WorkerOrderViews views, OrderActions actions, CancellationToken ct) =>
        {
            var me = http.User.UserId();
            return TypedResults.Ok(await views.OfAsync(await actions.CompleteAsync(me, id, request, ct), me, http.RequestLanguageTag(), ct));
        }).WithSummary("Complete the service with 1–9 confirmed completion-photo uploads and notes (服务记录), from where I am (the same visit rules)")
            .ProducesWorkerProblems();

        var pool = routes.MapGroup("/api/worker/pool").WithTags("Grab pool").RequireAuthorization(Roles.Worker);

        pool.MapGet("/", async Task<Ok<Page<WorkerOrderView>>> (string? continuationToken, string? pageSize, HttpContext http, WorkerOrderViews views, GrabPool grabPool, CancellationToken ct) =>
        {
            var me = http.User.UserId();
            var (_, size) = OrderListQuery.Parse(null, pageSize);
            var page = await grabPool.ListAsync(me, continuationToken, size, ct);
            return TypedResults.Ok(new Page<WorkerOrderView>([.. await views.OfAsync(page.Items, me, http.RequestLanguageTag(), ct)], page.ContinuationToken));
        }).WithSummary("Open grab-pool orders I can serve (skill, distance, free on my calendar), oldest first; a page may hold fewer than pageSize")
            .ProducesValidationProblem();

        pool.MapPost("/{orderId}/grab", async Task<Ok<WorkerOrderView>> (string orderId, HttpContext http, WorkerOrderViews views, GrabPool grabPool, CancellationToken ct) =>
        {
            var me = http.User.UserId();
            return TypedResults.Ok(await views.OfAsync(await grabPool.GrabAsync(me, orderId, ct), me, http.RequestLanguageTag(), ct));
        }).WithSummary("Grab an open order: the first valid grab wins; later ones get 409 taken-by-another-worker")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static void MapCustomer(IEndpointRouteBuilder routes)
    {
        var orders = routes.MapGroup("/api/customer/orders").WithTags("Booking").RequireAuthorization(Roles.Customer);

        orders.MapGet("/{id}/tracking", async Task<Ok<TrackingView>> (string id, HttpContext http, OrderActions actions, CancellationToken ct) =>
            TypedResults.Ok(TrackingView.Of(await actions.ForCustomerAsync(http.User.UserId(), id, ct))))
            .WithSummary("Where my order is: status, and the worker's position and ETA while on the way").ProducesProblem(StatusCodes.Status404NotFound);

        orders.MapPost("/{id}/confirm", async Task<Ok<OrderView>> (string id, HttpContext http, OrderActions actions, CancellationToken ct) =>
        {
            var me = http.User.UserId();
            return TypedResults.Ok(OrderView.Of(await actions.CustomerAsync(me, id, now => new Confirm(me, now), ct), http.RequestLanguageTag()));
        }).WithSummary("Confirm the completed service").ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        orders.MapPost("/{id}/after-sale", async Task<Ok<OrderView>> (string id, AfterSaleRequest request, HttpContext http, OrderActions actions, CancellationToken ct) =>
            TypedResults.Ok(OrderView.Of(await actions.AfterSaleAsync(http.User.UserId(), id, request, ct), http.RequestLanguageTag())))
            .WithSummary("Open an after-sale request (售后) on a completed order, or a confirmed one within the complaint window")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static void MapAdmin(IEndpointRouteBuilder routes)
    {
        var orders = routes.MapGroup("/api/admin/orders").WithTags("Admin dispatch").RequireAuthorization(Roles.Admin);

        orders.MapGet("/", async Task<Ok<Page<AdminOrderView>>> (string? status, string? continuationToken, string? pageSize, CosmosDb db, CancellationToken ct) =>
        {
            var (filter, size) = OrderListQuery.Parse(status, pageSize);
            var where = "c.type = @type" + (filter is null ? "" : " AND c.status = @status");
            var parameters = new Dictionary<string, object?> { ["@type"] = OrderDocument.Kind };
            if (filter is { } s)
            {
                parameters["@status"] = JsonNamingPolicy.CamelCase.ConvertName(s.ToString());
            }

            var page = await db.Orders.KeysetPageAsync<OrderDocument>(null, where, parameters, "createdKey", descending: false, o => o.CreatedKey,
                ContinuationTokens.Fingerprint("admin-orders", filter), continuationToken, size, ct);
            return TypedResults.Ok(new Page<AdminOrderView>([.. page.Items.Select(AdminOrderView.Of)], page.ContinuationToken));
        }).WithSummary("Orders by status, oldest first (status=ManualDispatch: the manual dispatch queue; keyset paging)").ProducesValidationProblem();

        orders.MapGet("/{id}", async Task<Ok<AdminOrderView>> (string id, OrderLifecycle lifecycle, CancellationToken ct) =>
            TypedResults.Ok(AdminOrderView.Of(await lifecycle.FindAsync(id, ct) ?? throw new NotFoundException("res.order", id))))
            .WithSummary("One order as operators see it, with each auto-dispatch offer's ranking: the best candidates and their score's terms")
            .ProducesProblem(StatusCodes.Status404NotFound);

        orders.MapPost("/{id}/assign", async Task<Ok<AdminOrderView>> (string id, AssignRequest request, HttpContext http, OrderActions actions, CancellationToken ct) =>
            TypedResults.Ok(AdminOrderView.Of(await actions.AssignAsync(http.User.UserId(), id, request, ct))))
            .WithSummary("Assign a worker (from Dispatching, Offered or ManualDispatch); their time is held before the previous holder's is released")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        orders.MapPost("/{id}/reassign", async Task<Ok<AdminOrderView>> (string id, ReassignRequest request, HttpContext http, OrderActions actions, CancellationToken ct) =>
            TypedResults.Ok(AdminOrderView.Of(await actions.ReassignAsync(http.User.UserId(), id, request, ct))))
            .WithSummary("Give an accepted order to another worker, with a reason; same hold-before-release order")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        orders.MapPost("/{id}/visit-exemption", async Task<Ok<AdminOrderView>> (string id, VisitExemptionRequest request, HttpContext http, OrderActions actions, CancellationToken ct) =>
            TypedResults.Ok(AdminOrderView.Of(await actions.ExemptVisitAsync(http.User.UserId(), id, request, ct))))
            .WithSummary("Let the worker report this order's remaining visit steps outside the time window or geofence, with a reason (kept on the order and audited)")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
    }

    private static async Task<Ok<WorkerOrderView>> WorkerAsync(
        HttpContext http, WorkerOrderViews views, string id, OrderActions actions, Func<string, Func<DateTimeOffset, OrderCommand>> command, CancellationToken ct)
    {
        var me = http.User.UserId();
        return TypedResults.Ok(await views.OfAsync(await actions.WorkerAsync(me, id, command(me), ct), me, http.RequestLanguageTag(), ct));
    }

    private static RouteHandlerBuilder ProducesWorkerProblems(this RouteHandlerBuilder builder) => builder
        .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
}
