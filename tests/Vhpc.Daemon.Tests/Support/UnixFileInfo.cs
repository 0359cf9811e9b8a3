using System.Globalization;
using Vhpc.Testing;

namespace Vhpc.Daemon.Tests.Support;

/// <summary>stat(1) of a path: type, octal permission bits and group, as the kernel reports them.</summary>
internal sealed class UnixFileInfo
{
    public UnixFileInfo(string path)
    {
        var result = ProcessRunner.RunAsync("stat", ["-c", "%F|%a|%g", path]).GetAwaiter().GetResult();
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"stat {path}: {result.Error}");
        }

        var fields = result.Output.Trim().Split('|');
        IsSocket = fields[0] == "socket";
        OctalMode = fields[1];
        GroupId = uint.Parse(fields[2], CultureInfo.InvariantCulture);
    }

    public bool IsSocket { get; }

    public string OctalMode { get; }

    public uint GroupId { get; }
}
