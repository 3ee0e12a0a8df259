using Xunit;

namespace MlOps.Sdk.Core.Tests.Paths;

public sealed class RelativePathTests
{
    [Theory]
    [InlineData("../x")]
    [InlineData("..\\x")]
    [InlineData("/etc/passwd")]
    [InlineData("C:\\x")]
    [InlineData("C:x")]
    [InlineData("\\\\host\\x")]
    [InlineData("//host/x")]
    [InlineData("%2e%2e%2f")]
    [InlineData("%2e%2e/x")]
    [InlineData("%252e%252e%252f")]
    [InlineData("a/../../x")]
    [InlineData("a/./b")]
    [InlineData("a//b")]
    [InlineData("a/")]
    [InlineData("")]
    [InlineData("a\0b")]
    [InlineData("..")]
    public void Parse_HostilePath_ThrowsUnsafePath(string path)
    {
        var error = Assert.Throws<UnsafePathException>(() => RelativePath.Parse(path));

        Assert.Equal(path, error.Path);
        Assert.False(RelativePath.TryParse(path, out _));
    }

    [Theory]
    [InlineData("model.onnx")]
    [InlineData("model/model.onnx")]
    [InlineData("a/b c/d-e_f.txt")]
    [InlineData("..hidden")]
    [InlineData("100%")]
    [InlineData("ünïcode/файл")]
    public void Parse_PlainRelativePath_IsAccepted(string path)
    {
        Assert.Equal(path, RelativePath.Parse(path).Value);
    }

    [Fact]
    public void Parse_TooLong_Throws()
    {
        Assert.Throws<UnsafePathException>(() => RelativePath.Parse(new string('a', RelativePath.MaxLength + 1)));
    }
}
