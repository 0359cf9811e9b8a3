using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vhpc.Engine;
using Vhpc.Engine.Progress;
using Vhpc.Spec;

// The engine's libvirt phase in a process of its own, so a crash test can SIGKILL it at any point
// (standing in for vhpcd) and run it again to converge. Progress lines go to stdout, flushed at once,
// so the killer knows which step was under way.
if (args.Length != 2 || args[0] is not ("apply" or "destroy"))
{
    await Console.Error.WriteLineAsync("usage: Vhpc.CrashHarness apply|destroy <spec.yaml>");
    return 2;
}

var loaded = ClusterSpecLoader.LoadFile(args[1]);
if (loaded.Spec is null)
{
    foreach (var error in loaded.Errors)
    {
        await Console.Error.WriteLineAsync(error.ToString());
    }

    return 1;
}

await using var services = new ServiceCollection()
    .AddLogging(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning))
    .AddVhpcEngine()
    .BuildServiceProvider();
var engine = services.GetRequiredService<IClusterEngine>();
var progress = new ConsoleProgress();
Console.Out.Flush();
try
{
    if (args[0] == "apply")
    {
        var result = await engine.ApplyAsync(loaded.Spec, progress, CancellationToken.None);
        Console.WriteLine(result.Succeeded ? $"done apply {result.Duration.TotalMilliseconds:F0}ms" : $"failed apply: {result.Error}");
        return result.Succeeded ? 0 : 1;
    }

    var destroyed = await engine.DestroyAsync(loaded.Spec, progress, CancellationToken.None);
    Console.WriteLine($"done destroy {destroyed.ObjectsRemoved} objects");
    return 0;
}
#pragma warning disable CA1031 // The harness reports any failure as exit code 1 with its message.
catch (Exception e)
#pragma warning restore CA1031
{
    Console.WriteLine($"failed {args[0]}: {e}");
    return 1;
}

/// <summary>One line per event: "progress Step State node", written synchronously (no Progress&lt;T&gt; thread hop).</summary>
internal sealed class ConsoleProgress : IProgress<ProgressEvent>
{
    private readonly Lock _gate = new();

    public void Report(ProgressEvent value)
    {
        lock (_gate)
        {
            Console.WriteLine($"progress {value.Step} {value.State} {value.Node ?? "-"}");
            Console.Out.Flush();
        }
    }
}
