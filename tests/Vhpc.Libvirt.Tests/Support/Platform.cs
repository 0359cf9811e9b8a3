// libvirt.so.0, /boot and the sandboxed libvirtd exist only on Linux.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
