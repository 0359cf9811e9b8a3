namespace Vhpc.Systemd.Tests.Support;

/// <summary>How a command ended: its exit code and what it printed.</summary>
public sealed record CommandResult(string Command, int Code, string Out, string Err)
{
    /// <summary>Everything, for assertion messages.</summary>
    public override string ToString() => $"`{Command}` exited {Code}\n--- stdout\n{Out}\n--- stderr\n{Err}";
}
