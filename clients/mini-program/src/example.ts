// Logs in as a mini-program user, books the demo cleaning item, pays through the WeChat Pay sandbox and reads the
// order — against a local host (scripts/run.sh) at HOMESERVICE_URL (default http://127.0.0.1:5080, what scripts/run.sh serves).
import { createHomeServiceClient, ok } from "./client.js";

const baseUrl = process.env.HOMESERVICE_URL ?? "http://127.0.0.1:5080";
let token: string | undefined;
const api = createHomeServiceClient({ baseUrl, token: () => token, language: "zh-CN" });

const day = (offset: number): string => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

async function main(): Promise<void> {
  // 1. wx.login's code, exchanged for an access token (the local host's WeChat sandbox accepts test-… codes).
  const login = ok(await api.POST("/api/auth/wechat/login", { body: { code: `test-example-${Date.now()}` } }));
  token = login.accessToken;

  // 2. An address in the demo city, then the bookable starts of the demo item there.
  const address = ok(await api.POST("/api/customer/addresses", {
    body: {
      contactName: "王女士", contactPhone: "13812345678", cityId: "shanghai", district: "静安区", detail: "南京西路 1 号",
      latitude: 31.2304, longitude: 121.4737, isDefault: true,
    },
  }));
  const availability = ok(await api.GET("/api/customer/availability", {
    params: { query: { itemId: "daily-cleaning-2h", addressId: address.id, from: day(2), to: day(4) } },
  }));
  const slot = availability.slots[0];
  if (!slot) {
    throw new Error("no bookable slot in the next days");
  }

  // 3. Book it: the Idempotency-Key makes a retried request answer the same order.
  const order = ok(await api.POST("/api/customer/orders", {
    params: { header: { "Idempotency-Key": crypto.randomUUID() } },
    body: { itemId: "daily-cleaning-2h", addressId: address.id, start: slot.start },
  }));
  console.log(`booked ${order.id} at ${order.start}: ${order.status}, ${order.price.totalFen} fen`);

  // 4. Pay: the mini-program would call wx.requestPayment with these parameters; the sandbox's payer pays instead.
  const payment = ok(await api.POST("/api/customer/orders/{id}/pay", { params: { path: { id: order.id } } }));
  ok(await api.POST("/api/dev/payments/{orderId}/succeed", { params: { path: { orderId: payment.paymentReference } }, body: {} }));

  // 5. Read the order until the payment notification has been processed.
  for (let attempt = 0; attempt < 60; attempt++) {
    const current = ok(await api.GET("/api/customer/orders/{id}", { params: { path: { id: order.id } } }));
    if (current.status !== "pendingPayment") {
      console.log(`order ${current.id} is ${current.status}`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`order ${order.id} is still pendingPayment`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
