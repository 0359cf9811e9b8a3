using System.Runtime.Versioning;

// vhpcd is a Linux daemon: libvirt, SO_PEERCRED, Unix file modes and systemd.
[assembly: SupportedOSPlatform("linux")]
