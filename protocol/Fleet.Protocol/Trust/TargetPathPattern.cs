namespace Fleet.Protocol.Trust;

/// <summary>TUF's delegation path patterns, glob-like as the specification reads since 1.0.20: <c>*</c> and
/// <c>?</c> never match <c>/</c>, so a pattern matches only paths with as many segments as itself.</summary>
public static class TargetPathPattern
{
    public static bool Matches(string pattern, string path)
    {
        var p = pattern.Split('/');
        var t = path.Split('/');
        if (p.Length != t.Length)
        {
            return false;
        }

        for (var i = 0; i < p.Length; i++)
        {
            if (!SegmentMatches(p[i], 0, t[i], 0))
            {
                return false;
            }
        }

        return true;
    }

    private static bool SegmentMatches(string pattern, int pi, string text, int ti)
    {
        while (pi < pattern.Length)
        {
            var c = pattern[pi];
            if (c == '*')
            {
                // Collapse runs of '*', then try every split point.
                while (pi < pattern.Length && pattern[pi] == '*')
                {
                    pi++;
                }

                if (pi == pattern.Length)
                {
                    return true;
                }

                for (var k = ti; k <= text.Length; k++)
                {
                    if (SegmentMatches(pattern, pi, text, k))
                    {
                        return true;
                    }
                }

                return false;
            }

            if (ti >= text.Length || (c != '?' && c != text[ti]))
            {
                return false;
            }

            pi++;
            ti++;
        }

        return ti == text.Length;
    }
}
