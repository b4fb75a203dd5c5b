using HomeService.Domain.Orders;
using HomeService.Functions.Auth;
using HomeService.Functions.Booking;
using HomeService.Functions.Infrastructure.Cosmos;
using HomeService.Functions.Infrastructure.Http;
using HomeService.Functions.Workers;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Cosmos;

namespace HomeService.Functions.Reviews;

/// <summary>The customer's review of a served order, stored on the order itself: one per order, never edited.</summary>
public sealed record OrderReview(
    int Overall, int? Attitude, int? Skill, int? Efficiency, int? Punctuality, string? Text, bool Anonymous, DateTimeOffset At, string SortKey);

/// <summary>The review as its customer sees it on the order.</summary>
public sealed record OrderReviewView(int Overall, int? Attitude, int? Skill, int? Efficiency, int? Punctuality, string? Text, bool Anonymous, DateTimeOffset At)
{
    public static OrderReviewView? Of(OrderReview? r) =>
        r is null ? null : new(r.Overall, r.Attitude, r.Skill, r.Efficiency, r.Punctuality, r.Text, r.Anonymous, r.At);
}

/// <summary>Reviews per overall star (index 0 = one star … 4 = five stars) and the averages of the optional scores (absent when none was given).</summary>
public sealed record RatingBreakdown(IReadOnlyList<int> Stars, double? Attitude, double? Skill, double? Efficiency, double? Punctuality);

public sealed record ReviewRequest(int? Overall, int? Attitude, int? Skill, int? Efficiency, int? Punctuality, string? Text, bool? Anonymous);

/// <summary>
/// A review. <see cref="Id"/> is an opaque id derived from the order's; the order id itself is shown only to the review's
/// author (the public list names no order, and an anonymous review nobody).
/// </summary>
public sealed record ReviewView(
    string Id, string? OrderId, string ItemName, int Overall, int? Attitude, int? Skill, int? Efficiency, int? Punctuality, string? Text, string? CustomerNickname,
    bool Anonymous, DateTimeOffset At);

/// <summary>
/// Reviews (SPEC §7): after confirming an order the customer rates the worker (overall 1–5 and, optionally,
/// attitude, skill, efficiency and punctuality) with an optional text, anonymously if they like. The review is an
/// ETag-conditional write of the order (so a second one is a 409 even when two race), and the worker's rating
/// summary — the rating term of dispatch scoring — is then recomputed from all their reviewed orders.
/// </summary>
public sealed class OrderReviews(CosmosDb db, OrderChanges orders, WorkerStore workers, UserAccounts users, TimeProvider time, ILogger<OrderReviews> logger)
{
    public const int MaxText = 500;

    /// <summary>Served and accepted by the customer (or under an after-sale case, which a review may well explain).</summary>
    private static readonly HashSet<OrderStatus> Reviewable = [OrderStatus.Confirmed, OrderStatus.Settled, OrderStatus.AfterSale];

    public async Task<ReviewView> ReviewAsync(string customerId, string orderId, ReviewRequest request, CancellationToken ct)
    {
        var v = new Validator().Check(request.Overall is not null, "overall", "required");
        foreach (var (field, score) in new[] { ("overall", request.Overall), ("attitude", request.Attitude), ("skill", request.Skill),
                     ("efficiency", request.Efficiency), ("punctuality", request.Punctuality) })
        {
            if (score is { } s)
            {
                v.Range(field, s, 1, 5);
            }
        }

        v.Optional("text", request.Text?.Trim(), MaxText).ThrowIfInvalid();

        var mine = await orders.GetMineAsync(customerId, orderId, ct);
        // Decided on every read of the If-Match loop, so of two racing reviews the second finds the first.
        var reviewed = await orders.ReplaceAsync(mine.Id, order =>
        {
            if (order.Review is not null)
            {
                throw new ConflictException("already_reviewed");
            }

            if (!Reviewable.Contains(order.Status))
            {
                throw new ConflictException("order_not_reviewable", order.Status.ToString());
            }

            var now = time.GetUtcNow();
            return order with
            {
                Review = new OrderReview(request.Overall!.Value, request.Attitude, request.Skill, request.Efficiency, request.Punctuality,
                    string.IsNullOrWhiteSpace(request.Text) ? null : request.Text.Trim(), request.Anonymous ?? false, now,
                    CosmosExtensions.TimeSortKey(now, order.Id)),
            };
        }, ct);

        logger.LogInformation("Order {OrderId} reviewed {Overall}/5", reviewed.Id, reviewed.Review!.Overall);
        await RefreshRatingAsync(reviewed.Reservation.WorkerId, ct);
        return await ViewAsync(reviewed, forAuthor: true, ct);
    }

    /// <summary>
    /// Sets the worker's rating summary from every reviewed order of theirs. Recomputed rather than incremented, so it
    /// is right however often it runs; a run that died after the review write is made good by the worker's next review.
    /// </summary>
    public Task RefreshRatingAsync(string workerId, CancellationToken ct) =>
        workers.SetRatingAsync(workerId, async token =>
        {
            var scores = (await ReviewsOfAsync(workerId, token)).Select(r => r.Overall).ToList();
            return scores.Count == 0 ? RatingSummary.None : new RatingSummary(Math.Round(scores.Average(), 2), scores.Count);
        }, ct);

    /// <summary>How a worker's reviews spread: count per overall star and the average of each optional score, from every review.</summary>
    public async Task<RatingBreakdown> BreakdownAsync(string workerId, CancellationToken ct)
    {
        var reviews = await ReviewsOfAsync(workerId, ct);
        static double? Mean(IEnumerable<int?> scores)
        {
            var given = scores.OfType<int>().ToList();
            return given.Count == 0 ? null : Math.Round(given.Average(), 2);
        }

        return new RatingBreakdown(
            [.. Enumerable.Range(1, 5).Select(star => reviews.Count(r => r.Overall == star))],
            Mean(reviews.Select(r => r.Attitude)), Mean(reviews.Select(r => r.Skill)), Mean(reviews.Select(r => r.Efficiency)), Mean(reviews.Select(r => r.Punctuality)));
    }

    /// <summary>Every review of the worker's orders (a projection, keyset-paged by order id).</summary>
    private async Task<List<OrderReview>> ReviewsOfAsync(string workerId, CancellationToken ct) =>
        [.. (await db.Orders.QueryAllByKeyAsync<ReviewRow>("c.id, c.review",
                "c.type = @order AND c.reservation.workerId = @worker AND c.review.overall >= 1",
                new Dictionary<string, object> { ["@order"] = OrderDocument.Kind, ["@worker"] = workerId }, "id", r => r.Id, ct))
            .Select(r => r.Review)];

    /// <summary>A worker's reviews, newest first (keyset paging).</summary>
    public async Task<Page<ReviewView>> ListForWorkerAsync(string workerId, string? continuationToken, int pageSize, CancellationToken ct)
    {
        var page = await db.Orders.KeysetPageAsync<OrderDocument>(null,
            "c.type = @order AND c.reservation.workerId = @worker AND c.review.overall >= 1",
            new Dictionary<string, object?> { ["@order"] = OrderDocument.Kind, ["@worker"] = workerId }, "review.sortKey", descending: true,
            o => o.Review!.SortKey, ContinuationTokens.Fingerprint("worker-reviews", workerId), continuationToken, pageSize, ct);
        var views = new List<ReviewView>(page.Items.Count);
        foreach (var order in page.Items)
        {
            views.Add(await ViewAsync(order, forAuthor: false, ct));
        }

        return new Page<ReviewView>(views, page.ContinuationToken);
    }

    /// <summary>"rv_" and 20 hex digits of the SHA-256 of the order id: stable, and it leads nobody to the order.</summary>
    public static string ReviewIdOf(string orderId) =>
        "rv_" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(orderId)))[..20];

    private async Task<ReviewView> ViewAsync(OrderDocument order, bool forAuthor, CancellationToken ct)
    {
        var r = order.Review!;
        var nickname = r.Anonymous ? null : (await users.FindAsync(order.CustomerId, ct))?.Nickname;
        return new ReviewView(ReviewIdOf(order.Id), forAuthor ? order.Id : null, order.ItemName, r.Overall, r.Attitude, r.Skill, r.Efficiency, r.Punctuality, r.Text, nickname, r.Anonymous, r.At);
    }

    private sealed record ReviewRow(string Id, OrderReview Review);
}

public static class ReviewEndpoints
{
    public static IEndpointRouteBuilder MapReviewEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/customer/orders/{id}/review", async Task<Created<ReviewView>> (string id, ReviewRequest request, HttpContext http,
            OrderReviews reviews, CancellationToken ct) =>
        {
            var view = await reviews.ReviewAsync(http.User.UserId(), id, request, ct);
            return TypedResults.Created($"/api/customer/orders/{id}/review", view);
        }).WithTags("Reviews").RequireAuthorization(Roles.Customer)
            .WithSummary("Review my confirmed order (once): overall 1–5, optional attitude / skill / efficiency / punctuality, text, anonymous");

        routes.MapGet("/api/workers/{id}/reviews", async Task<Ok<Page<ReviewView>>> (string id, string? continuationToken, int? pageSize,
            OrderReviews reviews, CancellationToken ct) =>
        {
            new Validator().PageSize(pageSize).ThrowIfInvalid();
            return TypedResults.Ok(await reviews.ListForWorkerAsync(id, continuationToken, pageSize ?? 20, ct));
        }).WithTags("Reviews").AllowAnonymous().WithSummary("A worker's reviews, newest first (anonymous ones name nobody)");

        return routes;
    }
}
