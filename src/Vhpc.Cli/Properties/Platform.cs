using System.Runtime.Versioning;

// vhpc drives a Linux daemon over a Unix socket and execs OpenSSH.
[assembly: SupportedOSPlatform("linux")]
