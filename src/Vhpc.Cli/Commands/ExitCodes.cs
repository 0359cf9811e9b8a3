namespace Vhpc.Cli.Commands;

/// <summary>What `vhpc` exits with; scripts can rely on these.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>The operation ran and failed (a node did not come up, libvirt refused, ...).</summary>
    public const int Failed = 1;

    /// <summary>Bad command line, or a cluster file with errors.</summary>
    public const int Usage = 2;

    /// <summary>vhpcd is not running or its socket is missing.</summary>
    public const int DaemonUnreachable = 3;

    /// <summary>The socket refused this user (not root, not in the socket's group).</summary>
    public const int PermissionDenied = 4;

    /// <summary>No such cluster or node.</summary>
    public const int NotFound = 5;

    /// <summary>vhpcd is stopping; try again after it restarted (EX_TEMPFAIL).</summary>
    public const int DaemonStopping = 75;

    /// <summary>Interrupted with Ctrl-C (128 + SIGINT).</summary>
    public const int Interrupted = 130;
}
