namespace SmartCity.IoT.Core.Tests;
public sealed class PlaceholderTests
{
    [Fact]
    public void Builds() => Assert.True(true);
}
