using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using HomeService.Domain.Orders;
using HomeService.Functions.Auth;
using HomeService.Functions.Booking;
using HomeService.Functions.Money;
using HomeService.Functions.Orders;
using HomeService.Functions.Payments;
using HomeService.Functions.Payments.Sandbox;
using HomeService.Functions.Tests.Booking;
using HomeService.Functions.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HomeService.Functions.Tests.PaymentFlow;

/// <summary>
/// The booking app (fake clock, real emulators, the WeChat Pay sandbox): a test moves the clock and lets the order's
/// orchestration act, then delivers the side effects of every event once more (an activity delivered twice).
/// </summary>
public sealed class PaymentFlowFactory : BookingFactory
{
    protected override IReadOnlyDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>(base.ExtraSettings)
    {
        // Settlement tests move the clock days ahead; tokens issued at the start stay valid.
        ["Auth:TokenLifetime"] = "3650.00:00:00",
        ["Money:PayoutProvider"] = "Sandbox",
    };

    public WeChatPaySandbox Sandbox => Services.GetRequiredService<WeChatPaySandbox>();
    public OrderLifecycle Lifecycle => Services.GetRequiredService<OrderLifecycle>();
    public LedgerService Ledger => Services.GetRequiredService<LedgerService>();
}

[CollectionDefinition(Name)]
public sealed class PaymentFlowCollection : ICollectionFixture<PaymentFlowFactory>
{
    public const string Name = "payment-flow";
}

/// <summary>One order's life with money: booking, paying through the sandbox, delivering its messages, and reading the ledger.</summary>
public sealed class PaymentFlowWorld(PaymentFlowFactory factory, BookingWorld booking)
{
    public PaymentFlowFactory Factory { get; } = factory;
    public BookingWorld Booking { get; } = booking;

    public static async Task<PaymentFlowWorld> StartAsync(PaymentFlowFactory factory) =>
        new(factory, await BookingWorld.StartAsync(factory));

    /// <summary>A worker, a customer and an order booked with them, paid for (delivered) unless told otherwise.</summary>
    public async Task<(TestWorker Worker, TestCustomer Customer, OrderView Order)> PaidOrderAsync(
        int daysAhead = 2, int hour = 10, bool pay = true, TestWorker? with = null)
    {
        var worker = with ?? await Booking.WorkerAsync();
        var customer = await Booking.CustomerAsync();
        var order = await Booking.BookOkAsync(customer, Booking.At(daysAhead, hour), worker.Id);
        await DeliverAsync(order.Id);
        if (pay)
        {
            await PayAsync(customer, order.Id);
            await SucceedAsync(order.Id);
            await DeliverAsync(order.Id);
        }

        return (worker, customer, order);
    }

    /// <summary>A paid order accepted by its worker, served on the fake clock and confirmed by its customer.</summary>
    public async Task<(TestWorker Worker, OrderView Order, OrderDocument Confirmed)> ConfirmedOrderAsync(int daysAhead, int hour, TestWorker? with = null)
    {
        var (worker, _, order) = await PaidOrderAsync(daysAhead, hour, with: with);
        await AcceptAsync(order.Id, worker.Id);
        Factory.Clock.SetUtcNow(order.Start);
        await ExecuteAsync(order.Id, (_, now) => new Arrive(worker.Id, now));
        await ExecuteAsync(order.Id, (_, now) => new StartService(worker.Id, now));
        Factory.Clock.SetUtcNow(order.End);
        await ExecuteAsync(order.Id, (_, now) => new Complete(worker.Id, [], "done", now));
        var confirmed = await ExecuteAsync(order.Id, (o, now) => new Confirm(o.CustomerId, now));
        return (worker, order, confirmed);
    }

    public static async Task<OrderPaymentView> PayAsync(TestCustomer customer, string orderId) =>
        await (await (await customer.Client.PostAsync($"/api/customer/orders/{orderId}/pay", null)).EnsureStatusAsync(HttpStatusCode.OK))
            .ReadAsync<OrderPaymentView>();

    /// <summary>The sandbox's payer pays: TRANSACTION.SUCCESS through the notify path.</summary>
    public async Task<SandboxNotificationSent> SucceedAsync(string orderId, long? amountFen = null)
    {
        // The order's customer is the payer the sandbox knows: only they may complete the payment.
        var order = await OrderAsync(orderId);
        var customer = await Factory.Services.GetRequiredService<UserAccounts>().FindAsync(order.CustomerId, CancellationToken.None)
                       ?? throw new InvalidOperationException($"No customer {order.CustomerId}.");
        using var payer = Factory.CreateClient();
        payer.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Bearer", Factory.Services.GetRequiredService<TokenService>().Issue(customer).AccessToken);
        var response = await payer.PostAsJsonAsync($"/api/dev/payments/{PaymentReference.ForOrder(orderId)}/succeed", new { amountFen });
        return await (await response.EnsureStatusAsync(HttpStatusCode.OK)).ReadAsync<SandboxNotificationSent>();
    }

    /// <summary>The one refund the sandbox holds for the order.</summary>
    public SandboxRefund RefundAtProvider(string orderId) => Assert.Single(Factory.Sandbox.RefundsOf(PaymentReference.ForOrder(orderId)));

    public async Task<SandboxNotificationSent> RefundOutcomeAsync(string refundId, bool succeed = true)
    {
        var response = await Factory.CreateClient().PostAsync($"/api/dev/refunds/{refundId}/{(succeed ? "succeed" : "fail")}", null);
        return await (await response.EnsureStatusAsync(HttpStatusCode.OK)).ReadAsync<SandboxNotificationSent>();
    }

    /// <summary>
    /// Lets the order's orchestration act on what happened and on the clock (its timers that the clock has reached fire),
    /// then delivers the side effects of every event once more, as a runtime delivering an activity twice would.
    /// </summary>
    public async Task DeliverAsync(string orderId)
    {
        await Factory.Orchestrations.SettleAsync(orderId);
        await Factory.Orchestrations.RedeliverAsync(orderId);
    }

    /// <summary>The side effects of every event of the order so far, delivered again.</summary>
    public Task RedeliverAllAsync(string orderId) => Factory.Orchestrations.RedeliverAsync(orderId);

    public async Task<OrderDocument> OrderAsync(string orderId) => (await Factory.Lifecycle.FindAsync(orderId, CancellationToken.None))!;

    /// <summary>Runs a decider command through the lifecycle (stands in for endpoints another feature owns), then delivers.</summary>
    public async Task<OrderDocument> ExecuteAsync(string orderId, Func<OrderDocument, DateTimeOffset, OrderCommand> command)
    {
        var order = await Factory.Lifecycle.ExecuteAsync(orderId, command, CancellationToken.None);
        await DeliverAsync(orderId);
        return order;
    }

    /// <summary>Accept by the worker the order holds time with (offered to them by dispatch once paid).</summary>
    public async Task AcceptAsync(string orderId, string workerId)
    {
        var order = await OrderAsync(orderId);
        if (order.State.OfferedToWorkerId != workerId)
        {
            await ExecuteAsync(orderId, (o, now) => new Offer(workerId, o.State.OfferRound + 1, now));
        }

        await ExecuteAsync(orderId, (_, now) => new Accept(workerId, now));
    }

    /// <summary>The order's ledger transactions by id.</summary>
    public async Task<Dictionary<string, LedgerTransactionDocument>> LedgerAsync(string orderId) =>
        (await Factory.Ledger.ForOrderAsync(orderId, CancellationToken.None)).ToDictionary(t => t.Id);

    /// <summary>What the order's transactions leave on one account.</summary>
    public static long BalanceOf(IEnumerable<LedgerTransactionDocument> transactions, string account) =>
        transactions.SelectMany(t => t.Postings).Where(p => p.Account == account).Sum(p => p.AmountFen);

    public async Task AssertLedgerBalancedAsync()
    {
        var admin = await Factory.AdminAsync();
        var check = await (await (await admin.GetAsync("/api/admin/ledger/check")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal(0, check.GetProperty("totalFen").GetInt64());
        Assert.Equal(0, check.GetProperty("mismatches").GetArrayLength());
        Assert.Equal(0, check.GetProperty("incomplete").GetInt32());
    }

    public async Task<IReadOnlyList<string>> AdminAlertsAsync(string orderId)
    {
        var admin = await Factory.AdminAsync();
        var page = await (await (await admin.GetAsync("/api/admin/alerts?pageSize=50")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        return page.GetProperty("items").EnumerateArray()
            .Where(m => m.TryGetProperty("orderId", out var id) && id.GetString() == orderId)
            .Select(m => m.GetProperty("key").GetString()!).ToList();
    }
}
