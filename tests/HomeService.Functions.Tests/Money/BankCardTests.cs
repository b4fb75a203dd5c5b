using System.Net;
using System.Net.Http.Json;
using HomeService.Functions.Tests.Support;

namespace HomeService.Functions.Tests.Money;

[Collection(MoneyCollection.Name)]
public sealed class BankCardTests(MoneyFactory factory)
{
    [Fact]
    public async Task Cards_are_stored_masked_never_returned_in_full_and_duplicates_are_refused()
    {
        var worker = await factory.NewWorkerAsync();
        var number = MoneyApi.CardNumber();
        var spaced = string.Join(' ', number.Chunk(4).Select(c => new string(c)));

        var added = await worker.Client.PostAsJsonAsync("/api/worker/bank-cards", new { holderName = "张三", bankName = "工商银行", cardNumber = spaced });
        var addedText = await (await added.EnsureStatusAsync(HttpStatusCode.Created)).Content.ReadAsStringAsync();
        var listText = await (await worker.Client.GetAsync("/api/worker/bank-cards")).Content.ReadAsStringAsync();
        var duplicate = await worker.Client.PostAsJsonAsync("/api/worker/bank-cards", new { holderName = "张三", bankName = "工商银行", cardNumber = number });

        var card = (await added.ReadJsonAsync());
        Assert.Equal($"{number[..4]} **** **** {number[^4..]}", card.GetProperty("maskedNumber").GetString());
        Assert.True(card.GetProperty("isDefault").GetBoolean());
        foreach (var text in new[] { addedText, listText, await duplicate.Content.ReadAsStringAsync() })
        {
            Assert.DoesNotContain(number, text);
            Assert.DoesNotContain(number[4..^4], text);
            Assert.DoesNotContain("hash", text, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);
        var withdrawalId = await RequestFundedWithdrawalAsync(worker, card.GetProperty("id").GetString()!);
        var withdrawalText = await (await worker.Client.GetAsync($"/api/worker/withdrawals/{withdrawalId}")).Content.ReadAsStringAsync();
        var adminText = await (await (await factory.AdminAsync()).GetAsync($"/api/admin/withdrawals/{withdrawalId}")).Content.ReadAsStringAsync();
        Assert.DoesNotContain(number[4..^4], withdrawalText + adminText);
        Assert.DoesNotContain("numberHash", adminText, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Invalid_numbers_are_refused_at_most_five_cards_and_the_default_moves_on_removal()
    {
        var worker = await factory.NewWorkerAsync();
        var valid = MoneyApi.CardNumber();
        var broken = valid[..^1] + (char)('0' + ((valid[^1] - '0' + 1) % 10));
        foreach (var bad in new[] { broken, "12345678901", "6222 abcd 1234 5678", "" })
        {
            var response = await worker.Client.PostAsJsonAsync("/api/worker/bank-cards", new { holderName = "张三", bankName = "工商银行", cardNumber = bad });
            var problem = await (await response.EnsureStatusAsync(HttpStatusCode.BadRequest)).ReadJsonAsync();
            Assert.Equal("invalid_card_number", problem.GetProperty("fieldCodes").GetProperty("cardNumber")[0].GetString());
        }

        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await worker.Client.AddCardAsync(MoneyApi.CardNumber()));
        }

        var sixth = await worker.Client.PostAsJsonAsync("/api/worker/bank-cards", new { holderName = "张三", bankName = "工商银行", cardNumber = MoneyApi.CardNumber() });
        Assert.Equal(HttpStatusCode.BadRequest, sixth.StatusCode);

        await (await worker.Client.PostAsync($"/api/worker/bank-cards/{ids[2]}/default", null)).EnsureStatusAsync(HttpStatusCode.OK);
        await (await worker.Client.DeleteAsync($"/api/worker/bank-cards/{ids[2]}")).EnsureStatusAsync(HttpStatusCode.NoContent);
        var cards = (await (await worker.Client.GetAsync("/api/worker/bank-cards")).ReadJsonAsync()).EnumerateArray().ToArray();
        Assert.Equal(4, cards.Length);
        Assert.Equal(ids[4], Assert.Single(cards, c => c.GetProperty("isDefault").GetBoolean()).GetProperty("id").GetString());

        var other = await factory.NewWorkerAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await other.Client.DeleteAsync($"/api/worker/bank-cards/{ids[0]}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Client.PostAsync($"/api/worker/bank-cards/{ids[0]}/default", null)).StatusCode);
    }

    private async Task<string> RequestFundedWithdrawalAsync(Owner worker, string cardId)
    {
        await factory.EarnAsync(worker.Id, 20_000);
        return await worker.Client.RequestWithdrawalAsync(15_000, cardId);
    }
}
