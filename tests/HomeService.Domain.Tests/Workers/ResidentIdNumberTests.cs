using HomeService.Domain.Workers;

namespace HomeService.Domain.Tests.Workers;

public class ResidentIdNumberTests
{
    [Theory]
    [InlineData("11010519491231002X")]
    [InlineData("11010519491231002x")]
    [InlineData("440524188001010014")]
    public void Valid_numbers_pass_the_checksum(string raw)
    {
        Assert.True(ResidentIdNumber.TryNormalize(raw, out var normalized));
        Assert.Equal(raw.ToUpperInvariant(), normalized);
    }

    [Theory]
    [InlineData("110105194912310021")] // wrong check character
    [InlineData("11010519491331002X")] // month 13
    [InlineData("1101051949123100")]   // too short
    [InlineData("11010519491231002Y")]
    [InlineData("")]
    [InlineData(null)]
    public void Invalid_numbers_are_refused(string? raw) => Assert.False(ResidentIdNumber.TryNormalize(raw, out _));

    [Fact]
    public void The_mask_keeps_only_the_region_prefix_and_the_last_four()
    {
        Assert.Equal("110***********002X", ResidentIdNumber.Mask("11010519491231002X"));
        Assert.Equal(1949, ResidentIdNumber.BirthYearOf("11010519491231002X"));
    }
}
