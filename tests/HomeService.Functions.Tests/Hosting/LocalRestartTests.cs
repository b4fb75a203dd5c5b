using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using HomeService.Functions.Tests.Support;
using HomeService.Functions.Tests.Uploads;

namespace HomeService.Functions.Tests.Hosting;

/// <summary>
/// Local data survives (issue: local host): the local host is killed with kill -9 and started again, then the whole
/// stack is stopped and started again. The same login is the same user, tokens issued before still work, and orders,
/// addresses, uploads, payments and the ledger are all there; a deadline pending at the kill is still acted on.
/// </summary>
public sealed class LocalRestartTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("hs-restart-").FullName;
    private StackProcess? _stack;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }

        Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task Kill_9_of_the_local_host_and_a_full_stop_lose_nothing_and_a_pending_deadline_still_fires()
    {
        _stack = await StackProcess.StartAsync(_data);
        string token, userId, addressId, unpaidId, paidId, uploadId, adminToken;
        int ledgerTransactions;
        DateTimeOffset unpaidDue;
        await using (var first = await LocalHostProcess.StartAsync(LocalProcessApi.Settings(_stack, _data)))
        {
            using var api = first.Client();
            // A one-minute payment deadline, so the restart below happens while it is pending.
            adminToken = await LocalProcessApi.AdminTokenAsync(api);
            using var admin = await LocalProcessApi.SignedInAsync(api, adminToken);
            await LocalProcessApi.SetLifecycleAsync(admin, "paymentTimeoutMinutes", 1);

            var login = await LocalProcessApi.LoginAsync(api, "restart-alice");
            (token, userId) = (login.GetProperty("accessToken").GetString()!, login.GetProperty("userId").GetString()!);
            using var alice = await LocalProcessApi.SignedInAsync(api, token);
            addressId = (await (await (await alice.PostAsJsonAsync("/api/customer/addresses", LocalProcessApi.Address)).EnsureStatusAsync(HttpStatusCode.Created)).ReadJsonAsync())
                .GetProperty("id").GetString()!;

            var slots = await LocalProcessApi.SlotsAsync(alice, addressId);
            var unpaid = await LocalProcessApi.BookAsync(alice, addressId, slots[0].Start);
            (unpaidId, unpaidDue) = (unpaid.GetProperty("id").GetString()!, unpaid.GetProperty("paymentDueAt").GetDateTimeOffset());
            paidId = (await LocalProcessApi.BookAsync(alice, addressId, slots[^1].Start)).GetProperty("id").GetString()!;
            var pay = await (await (await alice.PostAsync($"/api/customer/orders/{paidId}/pay", null)).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
            await (await alice.PostAsync($"/api/dev/payments/{pay.GetProperty("paymentReference").GetString()}/succeed", null)).EnsureStatusAsync(HttpStatusCode.OK);
            Assert.NotEqual("pendingPayment", await LocalProcessApi.StatusAsync(alice, paidId));

            var bytes = UploadFiles.Png();
            var ticket = await UploadFiles.StartAsync(alice, "avatar", "image/png", bytes.Length);
            uploadId = ticket.GetProperty("uploadId").GetString()!;
            await (await UploadFiles.PutAsync(ticket, bytes, "image/png")).EnsureStatusAsync(HttpStatusCode.Created);
            await (await alice.PostAsync($"/api/uploads/{uploadId}/confirm", null)).EnsureStatusAsync(HttpStatusCode.OK);

            ledgerTransactions = (await LocalProcessApi.LedgerAsync(admin)).GetProperty("transactions").GetInt32();
            Assert.True(ledgerTransactions > 0);
            Assert.Equal("pendingPayment", await LocalProcessApi.StatusAsync(alice, unpaidId));
            Assert.True(DateTimeOffset.UtcNow < unpaidDue, "the payment deadline passed before the kill");
            await first.KillAsync();
        }

        await using (var second = await LocalHostProcess.StartAsync(LocalProcessApi.Settings(_stack, _data)))
        {
            using var api = second.Client();
            await AssertNothingLostAsync(api, token, adminToken, userId, addressId, paidId, uploadId, ledgerTransactions);

            // The deadline that was pending when the host died closes the unpaid order after the restart.
            using var alice = await LocalProcessApi.SignedInAsync(api, token);
            var closed = await Wait.UntilAsync(async () => await LocalProcessApi.StatusAsync(alice, unpaidId) == "closed" ? (bool?)true : null,
                unpaidDue - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(60));
            Assert.True(closed, $"order {unpaidId} was not closed after its payment deadline {unpaidDue:O}");
        }

        // A full stop: the stack too (its final snapshot), then everything started again on the same data.
        await _stack.StopAsync();
        await _stack.DisposeAsync();
        _stack = await StackProcess.StartAsync(_data);
        await using (var third = await LocalHostProcess.StartAsync(LocalProcessApi.Settings(_stack, _data)))
        {
            using var api = third.Client();
            await AssertNothingLostAsync(api, token, adminToken, userId, addressId, paidId, uploadId, ledgerTransactions);
            using var alice = await LocalProcessApi.SignedInAsync(api, token);
            Assert.Equal("closed", await LocalProcessApi.StatusAsync(alice, unpaidId));
        }
    }

    private static async Task AssertNothingLostAsync(
        HttpClient api, string token, string adminToken, string userId, string addressId, string paidId, string uploadId, int ledgerTransactions)
    {
        // A token issued before the restart still works, and the same login is the same user.
        using var alice = await LocalProcessApi.SignedInAsync(api, token);
        var me = await (await (await alice.GetAsync("/api/me")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal(userId, me.GetProperty("id").GetString());
        Assert.Equal(userId, (await LocalProcessApi.LoginAsync(api, "restart-alice")).GetProperty("userId").GetString());

        var addresses = await (await (await alice.GetAsync("/api/customer/addresses")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Contains(addresses.EnumerateArray(), a => a.GetProperty("id").GetString() == addressId);
        Assert.NotEqual("pendingPayment", await LocalProcessApi.StatusAsync(alice, paidId));
        var upload = await (await (await alice.GetAsync($"/api/uploads/{uploadId}")).EnsureStatusAsync(HttpStatusCode.OK)).ReadJsonAsync();
        Assert.Equal("confirmed", upload.GetProperty("status").GetString());
        await (await UploadFiles.Blob.GetAsync(upload.GetProperty("readUrl").GetString())).EnsureStatusAsync(HttpStatusCode.OK);

        using var admin = await LocalProcessApi.SignedInAsync(api, adminToken);
        var ledger = await LocalProcessApi.LedgerAsync(admin);
        Assert.True(ledger.GetProperty("transactions").GetInt32() >= ledgerTransactions);
        Assert.Equal(0, ledger.GetProperty("totalFen").GetInt64());
    }
}
