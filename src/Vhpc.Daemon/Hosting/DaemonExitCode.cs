namespace Vhpc.Daemon.Hosting;

/// <summary>vhpcd's exit codes (vhpcd.service uses RestartPreventExitStatus= for the configuration one).</summary>
internal static class DaemonExitCode
{
    public const int Success = 0;

    /// <summary>A fatal runtime error (libvirt unreachable at start, socket unusable, a service failed).</summary>
    public const int Failure = 1;

    /// <summary>Unknown command-line argument.</summary>
    public const int Usage = 2;

    /// <summary>Invalid settings (EX_CONFIG): restarting will not help until the configuration is fixed.</summary>
    public const int Configuration = 78;
}
