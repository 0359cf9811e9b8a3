namespace Vhpc.Cli.Commands;

/// <summary>A failure with the exit code it means and one line for a person; <see cref="Detail"/> for --verbose.</summary>
internal sealed class CliFailureException : Exception
{
    public CliFailureException()
    {
    }

    public CliFailureException(string message)
        : base(message)
    {
    }

    public CliFailureException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CliFailureException(int exitCode, string message, string? detail = null)
        : base(message)
    {
        ExitCode = exitCode;
        Detail = detail;
    }

    public int ExitCode { get; } = ExitCodes.Failed;

    public string? Detail { get; }
}
