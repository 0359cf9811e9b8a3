using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Vhpc.Spec.Addressing;

/// <summary>An IPv4 network in CIDR form, with the address arithmetic the layout needs.</summary>
public readonly record struct Ipv4Subnet(uint Network, int PrefixLength)
{
    public uint Mask => PrefixLength == 0 ? 0 : uint.MaxValue << (32 - PrefixLength);

    public uint Broadcast => Network | ~Mask;

    /// <summary>Addresses other than the network and broadcast address.</summary>
    public long UsableCount => (1L << (32 - PrefixLength)) - 2;

    public IPAddress Netmask => ToAddress(Mask);

    public bool Contains(uint address) => (address & Mask) == Network;

    /// <summary>True when the two networks share an address (one contains the other).</summary>
    public bool Overlaps(Ipv4Subnet other)
    {
        var shorter = Math.Min(PrefixLength, other.PrefixLength);
        var mask = shorter == 0 ? 0 : uint.MaxValue << (32 - shorter);
        return (Network & mask) == (other.Network & mask);
    }

    public override string ToString() => $"{ToAddress(Network)}/{PrefixLength}";

    /// <summary>
    /// Parses <c>a.b.c.d/p</c> strictly (four decimal octets, no leading zeros that some parsers read as
    /// octal). <paramref name="hostBitsSet"/> tells the caller the address was not the network address.
    /// </summary>
    public static bool TryParse(string text, out Ipv4Subnet subnet, out bool hostBitsSet)
    {
        subnet = default;
        hostBitsSet = false;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || !TryParseAddress(text[..slash], out var address))
        {
            return false;
        }

        var prefixText = text[(slash + 1)..];
        if (prefixText.Length is 0 or > 2 || !prefixText.All(char.IsAsciiDigit)
            || (prefixText.Length == 2 && prefixText[0] == '0')
            || !int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out var prefix) || prefix > 32)
        {
            return false;
        }

        var mask = prefix == 0 ? 0 : uint.MaxValue << (32 - prefix);
        hostBitsSet = (address & ~mask) != 0;
        subnet = new Ipv4Subnet(address & mask, prefix);
        return true;
    }

    public static bool TryParseAddress(string text, out uint address)
    {
        address = 0;
        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        foreach (var part in parts)
        {
            if (part.Length is 0 or > 3 || !part.All(char.IsAsciiDigit) || (part.Length > 1 && part[0] == '0')
                || !int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var octet) || octet > 255)
            {
                return false;
            }

            address = (address << 8) | (uint)octet;
        }

        return true;
    }

    public static IPAddress ToAddress(uint address) =>
        new([(byte)(address >> 24), (byte)(address >> 16), (byte)(address >> 8), (byte)address]);

    public static uint FromAddress(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException("not an IPv4 address", nameof(address));
        }

        var b = address.GetAddressBytes();
        return ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3];
    }
}
