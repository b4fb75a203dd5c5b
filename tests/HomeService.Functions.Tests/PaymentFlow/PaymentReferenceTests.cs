using HomeService.Functions.Orders;

namespace HomeService.Functions.Tests.PaymentFlow;

/// <summary>Order ids as WeChat Pay numbers (6–32 characters of [A-Za-z0-9_-|*]) and back.</summary>
public sealed class PaymentReferenceTests
{
    [Theory]
    [InlineData("ord_0123456789abcdef0123456789abcdef")]
    [InlineData("ser_fedcba9876543210fedcba9876543210-01")]
    [InlineData("ser_fedcba9876543210fedcba9876543210-12")]
    public void Generated_order_ids_become_out_trade_numbers_that_name_the_order_again(string orderId)
    {
        var reference = PaymentReference.ForOrder(orderId);

        Assert.Matches(@"^[A-Za-z0-9_\-|*]{6,32}$", reference);
        Assert.Equal(orderId, PaymentReference.OrderIdOf(reference));
        Assert.Matches(@"^[A-Za-z0-9_\-|*]{6,32}$", PaymentReference.ForRefund(orderId, 9999));
    }

    [Fact]
    public void Ids_that_already_fit_pass_unchanged()
    {
        Assert.Equal("ORD12345678", PaymentReference.ForOrder("ORD12345678"));
        Assert.Equal("ORD12345678", PaymentReference.OrderIdOf("ORD12345678"));
    }

    [Fact]
    public void Refund_numbers_differ_per_event_and_repeat_for_the_same_event()
    {
        const string orderId = "ord_0123456789abcdef0123456789abcdef";

        Assert.Equal(PaymentReference.ForRefund(orderId, 7), PaymentReference.ForRefund(orderId, 7));
        Assert.NotEqual(PaymentReference.ForRefund(orderId, 7), PaymentReference.ForRefund(orderId, 8));
    }
}
