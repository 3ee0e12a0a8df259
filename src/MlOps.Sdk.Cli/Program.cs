namespace MlOps.Sdk.Cli;

internal static class Program
{
    public static Task<int> Main(string[] args) => MlOpsCommand.RunAsync(args, Console.Out, Console.Error);
}
