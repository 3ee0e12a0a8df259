using Microsoft.Extensions.Options;

namespace MlOps.Sdk.DependencyInjection;

/// <summary>Fails the host's start, naming the directory, when the root or artifacts directory cannot be created and written.</summary>
internal sealed class RootDirectoryValidator : IValidateOptions<MlOpsOptions>
{
    public ValidateOptionsResult Validate(string? name, MlOpsOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.RootDirectory))
        {
            return ValidateOptionsResult.Skip;
        }

        var failures = new List<string>();
        if (WritableDirectory.Check(options.RootDirectory) is { } root)
        {
            failures.Add(WritableDirectory.Describe(options.RootDirectory, "root", root));
        }
        else if (WritableDirectory.Check(options.ResolveArtifactsDirectory()) is { } artifacts)
        {
            failures.Add(WritableDirectory.Describe(options.ResolveArtifactsDirectory(), "artifacts", artifacts));
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
