namespace Vhpc.Seed;

/// <summary>
/// A seed input or output file cannot be used. The message names the command-line option and the
/// reason, ready to show to the user as is.
/// </summary>
public sealed class SeedInputException : Exception
{
    public SeedInputException()
    {
        Option = string.Empty;
    }

    public SeedInputException(string message)
        : base(message)
    {
        Option = string.Empty;
    }

    public SeedInputException(string message, Exception innerException)
        : base(message, innerException)
    {
        Option = string.Empty;
    }

    public SeedInputException(string option, string message, Exception? innerException = null)
        : base($"{option}: {message}", innerException)
    {
        Option = option;
    }

    /// <summary>The option the bad file was given with, e.g. <c>--user-data</c>.</summary>
    public string Option { get; }
}
