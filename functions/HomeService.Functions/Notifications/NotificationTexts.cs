namespace HomeService.Functions.Notifications;

/// <summary>Message-center titles per message key, en and zh-CN; the key and order id are stored, text is rendered on read.</summary>
public static class NotificationTexts
{
    private static readonly Dictionary<string, (string En, string Zh)> Titles = new(StringComparer.Ordinal)
    {
        ["order.placed"] = ("Order placed: pay within the time limit to keep your slot", "订单已提交，请在时限内完成支付以保留时段"),
        ["order.paid"] = ("Payment received; we are finding your worker", "支付成功，正在为您安排师傅"),
        ["order.late-payment"] = ("Your payment arrived after the order closed and will be refunded", "订单关闭后才收到付款，将为您原路退款"),
        ["order.closed-unpaid"] = ("Order closed: not paid in time", "订单超时未支付，已关闭"),
        ["order.offered"] = ("New order offered to you: accept it in time", "您有新的派单，请及时接单"),
        ["order.offer-expired"] = ("The order offer expired", "派单已超时"),
        ["order.offer-withdrawn"] = ("The order offer was withdrawn", "派单已撤回"),
        ["order.accepted"] = ("A worker accepted your order", "师傅已接单"),
        ["order.grabbed"] = ("A worker took your order", "师傅已抢单"),
        ["order.assigned"] = ("An order was assigned to you", "平台已为您指派订单"),
        ["order.unassigned"] = ("An order was taken off your schedule", "订单已从您的日程中移除"),
        ["order.worker-changed"] = ("Your order has a new worker", "您的订单已更换师傅"),
        ["order.manual-dispatch"] = ("Order needs manual dispatch: no worker accepted", "订单无人接单，需要人工派单"),
        ["order.rescheduled"] = ("The order's time changed", "订单服务时间已变更"),
        ["order.on-the-way"] = ("Your worker is on the way", "师傅已出发"),
        ["order.arrived"] = ("Your worker has arrived", "师傅已到达"),
        ["order.service-started"] = ("Service started", "服务已开始"),
        ["order.completed"] = ("Service completed: please confirm", "服务已完成，请确认"),
        ["order.confirmed"] = ("Order confirmed. Thank you!", "订单已确认，感谢您的使用！"),
        ["order.auto-confirmed"] = ("Order confirmed automatically", "订单已自动确认"),
        ["order.after-sale-opened"] = ("After-sale request opened", "售后申请已提交"),
        ["order.after-sale-resolved"] = ("After-sale request resolved", "售后申请已处理"),
        ["order.cancelled"] = ("Order cancelled", "订单已取消"),
        ["order.cancelled-after-dispatch"] = ("An order on your schedule was cancelled", "您日程中的订单已取消"),
        ["order.refund-requested"] = ("Refund in progress", "退款处理中"),
        ["order.refunded"] = ("Refund completed", "退款已完成"),
        ["order.refund-failed"] = ("Refund failed; the platform is retrying", "退款失败，平台正在重试"),
        ["order.settled"] = ("Order settled to your wallet", "订单收入已结算至钱包"),
        ["payment.amount-mismatch"] = ("A payment did not match its order's total and was not applied", "收到的付款金额与订单金额不符，未入账到订单"),
        ["payment.unmatched"] = ("A payment could not be applied to its order", "一笔付款无法对应到订单"),
        ["payment.unknown-order"] = ("A payment notification names an unknown order", "支付通知对应的订单不存在"),
        ["lifecycle.missing"] = ("An order had no orchestration; it was started", "订单缺少流程编排，已重新启动"),
        ["lifecycle.failed"] = ("An order's orchestration failed; it was started again", "订单流程编排失败，已重新启动"),
        ["lifecycle.ended-early"] = ("An order's orchestration ended before the order; it was started again", "订单流程编排提前结束，已重新启动"),
        ["payment.refund-unmatched"] = ("A refund notification does not match its order", "退款通知与订单不符"),
        ["order.reminder.t24h"] = ("Reminder: service starts in 24 hours", "提醒：服务将在 24 小时后开始"),
        ["order.reminder.t2h"] = ("Reminder: service starts in 2 hours", "提醒：服务将在 2 小时后开始"),
    };

    /// <summary>
    /// The platform's wording of keys that also reach customers or workers: the admin inbox (/api/admin/alerts) says what
    /// happened and what to do, not "your payment…".
    /// </summary>
    private static readonly Dictionary<string, (string En, string Zh)> AdminTitles = new(StringComparer.Ordinal)
    {
        ["order.late-payment"] = ("A payment arrived after its order closed; a full refund was started", "订单关闭后收到付款，已发起全额原路退款"),
        ["order.after-sale-opened"] = ("A customer opened an after-sale request: review it", "客户提交了售后申请，请及时处理"),
        ["order.cancelled-after-dispatch"] = ("A customer cancelled an order after a worker was dispatched", "客户在派单后取消了订单"),
        ["order.refund-failed"] = ("A refund failed at the payment provider and is being retried: check it", "退款在支付渠道失败，正在重试，请关注"),
        ["order.manual-dispatch"] = ("An order needs manual dispatch: no worker accepted", "订单无人接单，需要人工派单"),
    };

    /// <summary>The title of an entry of the admin inbox.</summary>
    public static string AdminTitle(string key, bool chinese) =>
        AdminTitles.TryGetValue(key, out var text) ? (chinese ? text.Zh : text.En) : Title(key, chinese);

    public static string Title(string key, bool chinese) =>
        Titles.TryGetValue(key, out var text) ? (chinese ? text.Zh : text.En) : key;

    public static bool IsKnown(string key) => Titles.ContainsKey(key);

    public static IEnumerable<string> Keys => Titles.Keys;
}
