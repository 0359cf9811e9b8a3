namespace Vhpc.Daemon.Operations;

/// <summary>vhpcd is stopping: the operation was not started, or stopped at a safe point.</summary>
internal sealed class ShuttingDownException : Exception
{
    public ShuttingDownException()
        : base("vhpcd is stopping")
    {
    }

    public ShuttingDownException(string message)
        : base(message)
    {
    }

    public ShuttingDownException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
