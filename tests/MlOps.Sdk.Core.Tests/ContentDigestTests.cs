using Xunit;

namespace MlOps.Sdk.Core.Tests;

public sealed class ContentDigestTests
{
    [Fact]
    public void Parse_RoundTripsThroughToString()
    {
        var digest = ContentDigest.Compute("abc"u8);

        Assert.Equal(digest, ContentDigest.Parse(digest.ToString()));
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", digest.Hex);
    }

    [Theory]
    [InlineData("")]
    [InlineData("sha256:")]
    [InlineData("md5:ba7816bf8f01cfea414140de5dae2223")]
    [InlineData("sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD")]
    [InlineData("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a")]
    [InlineData("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015zz")]
    public void Parse_NotADigest_ThrowsValidation(string text)
    {
        Assert.Throws<MlOpsValidationException>(() => ContentDigest.Parse(text));
        Assert.False(ContentDigest.TryParse(text, out _));
    }

    [Fact]
    public void Default_HasNoHex()
    {
        Assert.Throws<InvalidOperationException>(() => default(ContentDigest).Hex);
        Assert.Equal(string.Empty, default(ContentDigest).ToString());
    }
}
