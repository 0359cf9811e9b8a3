namespace Vhpc.Daemon;

/// <summary>Start-up cannot complete (libvirt unreachable, socket unusable); vhpcd exits non-zero.</summary>
internal sealed class FatalStartupException : Exception
{
    public FatalStartupException()
    {
    }

    public FatalStartupException(string message)
        : base(message)
    {
    }

    public FatalStartupException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
