using System.Globalization;
using Microsoft.Net.Http.Headers;

namespace HomeService.Functions.Infrastructure.Http;

/// <summary>API message texts in en and zh-CN, chosen by the request's Accept-Language.</summary>
public static class Messages
{
    public enum Language { En, ZhCn }

    private static readonly Dictionary<string, (string En, string Zh)> Texts = new(StringComparer.Ordinal)
    {
        // Titles of problem kinds.
        ["validation_failed"] = ("One or more fields are invalid.", "一个或多个字段无效。"),
        ["malformed_json"] = ("The request body is not valid JSON for this operation.", "请求体不是此操作可接受的有效 JSON。"),
        ["not_found"] = ("{0} was not found.", "未找到{0}。"),
        ["route_not_found"] = ("No such endpoint.", "接口不存在。"),
        ["method_not_allowed"] = ("This endpoint does not accept this HTTP method.", "此接口不支持该 HTTP 方法。"),
        ["unsupported_media_type"] = ("Send the body as application/json.", "请以 application/json 发送请求体。"),
        ["precondition_failed"] = ("The resource was changed by someone else; read it again and retry.", "资源已被他人修改，请重新读取后再试。"),
        ["precondition_required"] = ("This change needs an If-Match header with the ETag you read.", "此修改需要带有所读取 ETag 的 If-Match 请求头。"),
        ["conflict"] = ("The request conflicts with the current state of the resource.", "请求与资源当前状态冲突。"),
        ["forbidden"] = ("You may not do this.", "您无权执行此操作。"),
        ["unauthorized"] = ("Sign in first.", "请先登录。"),
        ["too_many_requests"] = ("Too many attempts; try again in {0} seconds.", "尝试次数过多，请 {0} 秒后再试。"),
        ["service_unavailable"] = ("A service this request needs is unavailable; try again later.", "所需服务暂不可用，请稍后再试。"),
        ["internal_error"] = ("Something went wrong on our side.", "服务器内部错误。"),
        ["idempotency_key_reused"] = ("This Idempotency-Key was already used with a different request.", "该 Idempotency-Key 已用于另一个不同的请求。"),
        ["idempotency_key_required"] = ("This request needs an Idempotency-Key header.", "此请求需要 Idempotency-Key 请求头。"),
        ["sms_unavailable"] = ("SMS login is not available in this deployment.", "当前部署未开通短信登录。"),
        ["payouts_unavailable"] = ("Payouts are not configured in this deployment.", "当前部署未配置提现打款。"),
        ["code_invalid"] = ("The code is wrong or has expired.", "验证码错误或已过期。"),
        ["wechat_code_invalid"] = ("The WeChat login code was rejected.", "微信登录凭证无效。"),
        ["already_exists"] = ("{0} already exists.", "{0}已存在。"),
        ["category_has_children"] = ("Delete or move the subcategories first.", "请先删除或移动子分类。"),
        ["payment_state"] = ("The payment is already {0}.", "支付单当前状态为 {0}。"),
        ["refund_state"] = ("The refund is already {0}.", "退款单当前状态为 {0}。"),
        ["payment_provider_unavailable"] = ("The payment service is unavailable; try again later.", "支付服务暂不可用，请稍后再试。"),
        ["payment_provider_refused"] = ("The payment service refused the request.", "支付服务拒绝了该请求。"),
        ["wechat_login_required"] = ("Paying needs a WeChat login; sign in with WeChat and try again.", "支付需要微信登录，请使用微信登录后重试。"),
        ["payment_expired"] = ("The time to pay this order has passed.", "该订单的支付时间已过。"),
        ["in_use"] = ("{0} is still in use.", "{0}仍在使用中。"),
        ["no_worker_available"] = ("No worker can take this slot; choose another time.", "该时段没有可接单的师傅，请选择其他时间。"),
        ["slot_taken"] = ("This time is no longer free for this worker; choose another time.", "该师傅此时段已被预约，请选择其他时间。"),
        ["outside_working_hours"] = ("The worker does not work at this time.", "师傅在该时段不工作。"),
        ["outside_service_radius"] = ("The address is outside the worker's service area.", "地址超出师傅的服务范围。"),
        ["worker_not_available"] = ("This worker cannot take orders for this service now.", "该师傅目前无法接此服务的订单。"),
        ["request_in_progress"] = ("The same request is still being processed; retry shortly.", "相同的请求仍在处理中，请稍后重试。"),
        ["calendar_busy"] = ("The worker's calendar is busy; retry shortly.", "师傅日程繁忙，请稍后重试。"),
        ["cancel_not_allowed"] = ("This order can no longer be cancelled ({0}).", "该订单已无法取消（{0}）。"),
        ["reservation_missing"] = ("The order no longer holds a time to move.", "该订单已没有可改约的时段。"),
        ["not-allowed-in-state"] = ("Cannot {0} an order in state {1}.", "订单处于 {1} 状态，无法执行 {0}。"),
        ["not-your-order"] = ("This is not your order.", "这不是您的订单。"),
        ["taken-by-another-worker"] = ("Another worker has already taken this order.", "该订单已被其他师傅接走。"),
        ["not-offered-to-you"] = ("This order is not offered to you.", "该订单未派给您。"),
        ["not-assigned-to-you"] = ("This order is not assigned to you.", "该订单未指派给您。"),
        ["offer-expired"] = ("The offer has expired.", "派单已超时。"),
        ["not-in-grab-pool"] = ("This order is not in the grab pool.", "该订单不在抢单池中。"),
        ["complaint-window-closed"] = ("The complaint window of this order has closed.", "该订单的售后期限已过。"),
        ["cannot_serve_order"] = ("You cannot serve this order (skill, distance or schedule).", "您无法承接该订单（技能、距离或日程不符）。"),
        ["visit_outside_time_window"] = ("You can report {0} only between {1} and {2} (around the booked time); ask customer service if the customer agreed to another time.",
            "仅可在 {1} 至 {2} 之间（预约时间前后）上报{0}；如已与客户另约时间，请联系客服。"),
        ["visit_outside_geofence"] = ("You are {0} m from the address; report {1} within {2} m of it.", "您距离服务地址 {0} 米，须在 {2} 米范围内上报{1}。"),
        ["visit_not_in_progress"] = ("Only an order between acceptance and completion can be exempted from the visit checks (it is {0}).",
            "仅可对已接单且未完工的订单免除上门校验（当前状态：{0}）。"),
        ["no_pending_change"] = ("This worker has no profile change waiting for re-audit.", "该师傅没有待复审的资料变更。"),
        ["worker_not_eligible"] = ("This worker is not an approved worker offering this service in the order's city.", "该师傅未通过审核或不在该城市提供此服务。"),
        ["cancel-needs-admin"] = ("The worker has arrived; only customer service can cancel now.", "师傅已到达，现在只能由客服取消。"),
        ["amount-mismatch"] = ("The amounts do not add up to what was paid.", "金额与已付金额不符。"),
        ["invalid-order-details"] = ("The order details are incomplete or invalid.", "订单信息不完整或无效。"),
        ["audit_not_allowed"] = ("Cannot {0} while the application is {1}.", "申请处于 {1} 状态，无法执行 {0}。"),
        ["id_number_in_use"] = ("This ID number is already registered to another worker.", "该身份证号已被其他师傅使用。"),
        ["already_in_merchant"] = ("You already belong to a merchant; leave it first.", "您已隶属于一个商户，请先退出。"),
        ["upload_expired"] = ("This upload has expired; start a new one.", "上传已过期，请重新上传。"),
        ["insufficient_funds"] = ("Your available balance does not cover this withdrawal.", "可提现余额不足。"),
        ["withdrawal_state"] = ("A withdrawal that is {0} cannot be changed this way ({1}).", "处于{0}状态的提现不能执行此操作（{1}）。"),
        ["payout_claim_held"] = ("Another payout run is paying this withdrawal.", "另一个打款批次正在处理此提现。"),
        ["payout_wrong_attempt"] = ("This payout result belongs to another attempt.", "该打款结果不属于当前尝试。"),
        ["payout_provider_unavailable"] = ("The payout service is unavailable; try again later.", "打款服务暂不可用，请稍后再试。"),
        ["refund_exceeds_settlement"] = ("The refund exceeds what is left of the settlement ({0} fen).", "退款金额超过结算剩余金额（{0} 分）。"),
        // Field-level codes.
        ["invalid_destination"] = ("Use bankCard or wechatBalance.", "请使用 bankCard 或 wechatBalance。"),
        ["wechat_not_bound"] = ("Withdrawing to WeChat balance needs a WeChat login; sign in with WeChat and try again.", "提现到微信零钱需要微信登录，请使用微信登录后重试。"),
        ["destination_unavailable"] = ("Withdrawals cannot be paid this way at the moment; choose another destination.", "暂不支持该提现方式，请选择其他方式。"),
        ["wechat_transfer_limit"] = ("To WeChat balance, the amount after the fee must be below ¥{0}; withdraw less at a time.", "提现到微信零钱时，扣除手续费后的金额须低于 {0} 元，请分次提现。"),
        ["invalid_card_number"] = ("Not a valid bank card number (12–19 digits).", "银行卡号无效（12–19 位数字）。"),
        ["invalid_schedule"] = ("Not a six-field NCRONTAB schedule.", "不是有效的六段式 NCRONTAB 计划。"),
        ["invalid_date"] = ("Use a date such as 2026-03-01.", "日期格式应为 2026-03-01。"),
        ["required"] = ("Required.", "必填。"),
        ["too_long"] = ("At most {0} characters.", "最多 {0} 个字符。"),
        ["out_of_range"] = ("Must be between {0} and {1}.", "必须在 {0} 到 {1} 之间。"),
        ["invalid"] = ("Invalid value.", "无效的值。"),
        ["invalid_choice"] = ("Use one of: {0}.", "可选值：{0}。"),
        ["invalid_phone"] = ("Not a valid mobile number.", "手机号格式不正确。"),
        ["invalid_time_zone"] = ("Unknown time zone.", "未知的时区。"),
        ["invalid_etag"] = ("If-Match must be one strong ETag as this server sent it.", "If-Match 必须是本服务返回的一个强 ETag。"),
        ["unknown_reference"] = ("Refers to something that does not exist.", "引用的对象不存在。"),
        ["unknown_district"] = ("The city has no such district.", "该城市没有这个区。"),
        ["outside_city"] = ("The point lies more than {0} km from the city's centre.", "该位置距离城市中心超过 {0} 公里。"),
        ["offset_required"] = ("Give the instant with its offset, e.g. 2026-12-05T10:00:00+08:00 or …Z.", "请给出带时区偏移的时间，如 2026-12-05T10:00:00+08:00 或 …Z。"),
        ["invalid_instant"] = ("Not an ISO 8601 instant (e.g. 2026-12-05T10:00:00+08:00).", "不是 ISO 8601 时间（如 2026-12-05T10:00:00+08:00）。"),
        ["invalid_json"] = ("Not valid JSON here.", "此处不是有效的 JSON。"),
        ["too_many"] = ("At most {0} entries.", "最多 {0} 项。"),
        ["invalid_continuation"] = ("The continuation token is not valid for this query.", "分页令牌对此查询无效。"),
        ["invalid_slug"] = ("Use lower-case letters, digits and inner hyphens (at most 64).", "仅可使用小写字母、数字和中间的连字符（最多 64 个）。"),
        ["invalid_language_tag"] = ("Not a language tag such as en or zh-CN.", "不是有效的语言标记（如 en、zh-CN）。"),
        ["invalid_number"] = ("Not a whole number.", "不是有效的整数。"),
        ["invalid_sort"] = ("Sort by popularity, price_asc, price_desc, rating or distance.", "排序方式须为 popularity、price_asc、price_desc、rating 或 distance。"),
        ["min_above_max"] = ("The minimum is greater than the maximum.", "最小值大于最大值。"),
        ["duplicate"] = ("Contains the same entry twice.", "包含重复的项。"),
        ["category_not_top_level"] = ("The parent must be a top-level category.", "上级分类必须是一级分类。"),
        ["category_not_leaf"] = ("Choose a second-level category.", "请选择二级分类。"),
        ["category_has_items"] = ("This category has service items; it must stay second-level.", "该分类下有服务项目，必须保持为二级分类。"),
        ["invalid_time"] = ("Use HH:mm (00:00–24:00).", "请使用 HH:mm 格式（00:00–24:00）。"),
        ["invalid_date"] = ("Use yyyy-MM-dd.", "请使用 yyyy-MM-dd 格式。"),
        ["before_from"] = ("Must not be before from.", "不能早于开始日期。"),
        ["range_too_long"] = ("At most {0} days.", "最多 {0} 天。"),
        ["not_on_slot_grid"] = ("Starts must be on the {0}-minute grid.", "开始时间须为 {0} 分钟的整数倍。"),
        ["too_soon"] = ("Book at least {1} minutes ahead.", "请至少提前 {1} 分钟预约。"),
        ["beyond_horizon"] = ("Book at most {2} days ahead.", "最多可提前 {2} 天预约。"),
        ["not_offered_in_city"] = ("This service is not offered in the address's city.", "该服务在此地址所在城市未开通。"),
        ["invalid_frequency"] = ("Use weekly, every2weeks or every3weeks.", "请使用 weekly、every2weeks 或 every3weeks。"),
        ["duplicate_day"] = ("This weekday appears twice.", "该星期几重复出现。"),
        ["duplicate_date"] = ("This date appears twice.", "该日期重复出现。"),
        ["break_outside_work"] = ("A break must lie inside working hours.", "休息时间须在工作时间内。"),
        ["end_not_after_start"] = ("The end must be after the start.", "结束时间须晚于开始时间。"),
        ["overlap"] = ("Overlaps another interval.", "与其他时间段重叠。"),
        ["not_whole_minute"] = ("Use whole minutes.", "请使用整分钟。"),
        ["hours_required"] = ("Hours are required for this kind.", "此类型需要填写时间段。"),
        ["hours_not_allowed"] = ("A day off has no hours.", "休息日不能填写时间段。"),
        ["invalid_upload_kind"] = ("Unknown kind; use one of: {0}.", "未知的类型，可选：{0}。"),
        ["content_type_not_allowed"] = ("This file type is not allowed for this kind of upload.", "此类上传不允许该文件类型。"),
        ["upload_missing"] = ("No file was uploaded yet.", "尚未上传文件。"),
        ["upload_too_large"] = ("The file is larger than {0} bytes.", "文件超过 {0} 字节。"),
        ["upload_size_mismatch"] = ("The file has {1} bytes, not the {0} declared.", "文件大小为 {1} 字节，与声明的 {0} 字节不符。"),
        ["upload_type_mismatch"] = ("The file was not stored as {0}.", "文件未以 {0} 类型存储。"),
        ["upload_content_mismatch"] = ("The file's content is not {0}.", "文件内容不是 {0}。"),
        ["upload_image_invalid"] = ("The file is not a complete {0} image.", "文件不是完整的 {0} 图片。"),
        ["upload_image_too_large"] = ("The image has too many pixels (at most 40 megapixels).", "图片像素过多（最多 4000 万像素）。"),
        ["upload_active_content"] = ("The file carries web page or script content.", "文件中含有网页或脚本内容。"),
        ["upload_pdf_invalid"] = ("The file is not a readable PDF.", "文件不是可读取的 PDF。"),
        ["upload_pdf_active_content"] = ("PDFs with JavaScript, embedded files or launch actions are not accepted.", "不接受含有 JavaScript、嵌入文件或启动操作的 PDF。"),
        ["invalid_id_number"] = ("Not a valid 18-digit resident ID number.", "不是有效的 18 位居民身份证号。"),
        ["identity_locked"] = ("Cannot change after approval.", "审核通过后不可修改。"),
        ["not_offered_in_city"] = ("This service is not offered in the chosen city.", "该服务在所选城市未开通。"),
        ["upload_not_confirmed"] = ("Not a confirmed upload of yours.", "不是您已确认的上传文件。"),
        ["upload_wrong_kind"] = ("Upload a {0} here.", "此处需上传 {0}。"),
        ["invite_invalid"] = ("The invite code is wrong or has expired.", "邀请码错误或已过期。"),
        ["reason_required"] = ("Give a reason.", "请填写原因。"),
        ["read_only"] = ("Read-only here; change it at {0}.", "此处只读，请在 {0} 修改。"),
        // Resources named in messages.
        ["res.city"] = ("City", "城市"),
        ["res.category"] = ("Category", "分类"),
        ["res.item"] = ("Service item", "服务项目"),
        ["res.package"] = ("Package", "套餐"),
        ["res.address"] = ("Address", "地址"),
        ["res.user"] = ("User", "用户"),
        ["res.favorite"] = ("Favorite", "收藏"),
        ["already_reviewed"] = ("This order has been reviewed already; a review cannot be changed.", "该订单已评价，评价不可修改。"),
        ["order_not_rebookable"] = ("Only an order that was served can be booked again (it is {0}).", "已完成服务的订单才能再来一单（当前状态：{0}）。"),
        ["order_not_reviewable"] = ("An order can be reviewed once it is confirmed (it is {0}).", "订单确认完成后才能评价（当前状态：{0}）。"),
        ["reschedule_in_progress"] = ("Another change of this order's time is in progress; try again shortly.", "该订单正在改期中，请稍后再试。"),
        ["res.worker"] = ("Worker", "师傅"),
        ["res.message"] = ("Message", "消息"),
        ["res.order"] = ("Order", "订单"),
        ["res.visit.arrive"] = ("arrival", "到达"),
        ["res.visit.start"] = ("the start of service", "开始服务"),
        ["res.visit.complete"] = ("completion", "完工"),
        ["res.upload"] = ("Upload", "上传文件"),
        ["res.merchant"] = ("Merchant", "商户"),
        ["res.payment"] = ("Payment", "支付单"),
        ["res.refund"] = ("Refund", "退款单"),
        ["res.bank_card"] = ("Bank card", "银行卡"),
        ["res.withdrawal"] = ("Withdrawal", "提现"),
        ["res.payout-run"] = ("Payout run", "打款批次"),
        ["res.order"] = ("Order", "订单"),
    };

    public static Language FromRequest(HttpContext? context)
    {
        var header = context?.Request.Headers.AcceptLanguage.ToString();
        if (string.IsNullOrEmpty(header) || !StringWithQualityHeaderValue.TryParseList([header], out var values))
        {
            return Language.En;
        }

        foreach (var value in values.OrderByDescending(v => v.Quality ?? 1))
        {
            var tag = value.Value.ToString();
            if (tag.StartsWith("zh", StringComparison.OrdinalIgnoreCase))
            {
                return Language.ZhCn;
            }

            if (tag.StartsWith("en", StringComparison.OrdinalIgnoreCase))
            {
                return Language.En;
            }
        }

        return Language.En;
    }

    public static string Get(Language language, string code, params object?[] args)
    {
        if (!Texts.TryGetValue(code, out var text))
        {
            return code;
        }

        var template = language == Language.ZhCn ? text.Zh : text.En;
        var localizedArgs = args.Select(a => a is string s && s.StartsWith("res.", StringComparison.Ordinal) ? Get(language, s) : a).ToArray();
        return localizedArgs.Length == 0 ? template : string.Format(CultureInfo.InvariantCulture, template, localizedArgs);
    }

    public static string LanguageTag(Language language) => language == Language.ZhCn ? "zh-CN" : "en";

    /// <summary>The language tag ("en" / "zh-CN") the request's Accept-Language chose, for picking catalogue translations.</summary>
    public static string RequestLanguageTag(this HttpContext http) => LanguageTag(FromRequest(http));
}
