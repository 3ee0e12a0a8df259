using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace MlOps.Sdk.Cli;

/// <summary>
/// Where a command writes: JSON for scripts (<c>--json</c>), else tables for people. Colours, live progress bars and
/// other terminal codes only when the output is a terminal: redirected, it is plain text.
/// </summary>
internal sealed class Output(TextWriter writer, bool json)
{
    private readonly IAnsiConsole _console = CreateConsole(writer);

    public bool Json { get; } = json;

    /// <summary>Writes <paramref name="value"/> as JSON under <c>--json</c>, else what <paramref name="render"/> makes of it.</summary>
    public void Write<T>(T value, JsonTypeInfo<T> type, Func<T, IRenderable> render)
    {
        if (Json)
        {
            writer.WriteLine(JsonSerializer.Serialize(value, type));
        }
        else
        {
            _console.Write(render(value));
        }
    }

    /// <summary>Writes <paramref name="value"/> as JSON under <c>--json</c>, else the one line <paramref name="line"/> makes of it.</summary>
    public void Write<T>(T value, JsonTypeInfo<T> type, Func<T, string> line)
    {
        if (Json)
        {
            writer.WriteLine(JsonSerializer.Serialize(value, type));
        }
        else
        {
            writer.WriteLine(line(value));
        }
    }

    /// <summary>A terminal gets colours and live progress; anything else plain text, as wide as a table needs.</summary>
    private static IAnsiConsole CreateConsole(TextWriter writer)
    {
        var terminal = writer == Console.Out && !Console.IsOutputRedirected;
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!terminal)
        {
            console.Profile.Width = 400;
        }

        return console;
    }

    public static Table Table(params string[] columns)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var column in columns)
        {
            table.AddColumn(new TableColumn(Markup.Escape(column)));
        }

        return table;
    }

    public static string Cell(object? value) => Markup.Escape(value switch
    {
        null => "",
        DateTimeOffset time => time.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    });

    /// <summary>
    /// Runs <paramref name="work"/> under a progress bar while the output is a terminal (not under <c>--json</c>); else
    /// runs it with no bar, so redirected output stays the result alone.
    /// </summary>
    public async Task<T> ProgressAsync<T>(string description, Func<Action<double, double>, Task<T>> work)
    {
        if (Json || !_console.Profile.Capabilities.Interactive)
        {
            return await work((_, _) => { }).ConfigureAwait(false);
        }

        T result = default!;
        await _console.Progress().AutoClear(true).StartAsync(async context =>
        {
            var task = context.AddTask(Markup.Escape(description));
            result = await work((done, total) =>
            {
                task.MaxValue = Math.Max(total, 1);
                task.Value = done;
            }).ConfigureAwait(false);
            task.Value = task.MaxValue;
        }).ConfigureAwait(false);
        return result;
    }
}
