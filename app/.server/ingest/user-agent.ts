/**
 * User agent → browser, OS and device class, for RUM. Covers the browsers and systems
 * that make up nearly all real traffic; anything else is reported as "Other" rather than
 * guessed. Order matters: Chromium-based browsers also say "Chrome", Chrome also says
 * "Safari", and so on, so the more specific tokens are tested first.
 */
export interface ParsedUserAgent {
  name: string;
  version?: string;
  os: string;
  device: 'desktop' | 'mobile' | 'tablet' | 'bot';
}

const BROWSERS: Array<[RegExp, string]> = [
  [/\b(?:bot|crawler|spider|crawling|headlesschrome|lighthouse)\b/i, 'Bot'],
  [/\bEdg(?:e|A|iOS)?\/([\d.]+)/, 'Edge'],
  [/\bOPR\/([\d.]+)/, 'Opera'],
  [/\bSamsungBrowser\/([\d.]+)/, 'Samsung Internet'],
  [/\bYaBrowser\/([\d.]+)/, 'Yandex'],
  [/\bVivaldi\/([\d.]+)/, 'Vivaldi'],
  [/\bFirefox\/([\d.]+)/, 'Firefox'],
  [/\bFxiOS\/([\d.]+)/, 'Firefox'],
  [/\bCriOS\/([\d.]+)/, 'Chrome'],
  [/\bChrome\/([\d.]+)/, 'Chrome'],
  [/\bVersion\/([\d.]+).*\bSafari\//, 'Safari'],
  [/\bMSIE ([\d.]+)/, 'Internet Explorer'],
  [/\bTrident\/.*rv:([\d.]+)/, 'Internet Explorer'],
];

const SYSTEMS: Array<[RegExp, string]> = [
  [/\b(?:iPhone|iPad|iPod)\b/, 'iOS'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

export function parseUserAgent(ua: string): ParsedUserAgent {
  let name = 'Other';
  let version: string | undefined;
  for (const [re, n] of BROWSERS) {
    const m = re.exec(ua);
    if (m) {
      name = n;
      version = m[1]?.split('.')[0];
      break;
    }
  }
  let os = 'Other';
  for (const [re, n] of SYSTEMS) {
    if (re.test(ua)) {
      os = n;
      break;
    }
  }
  let device: ParsedUserAgent['device'] = 'desktop';
  if (name === 'Bot') device = 'bot';
  else if (/\biPad\b|\bTablet\b/.test(ua) || (os === 'Android' && !/\bMobile\b/.test(ua))) device = 'tablet';
  else if (/\bMobi|\biPhone\b|\biPod\b/.test(ua)) device = 'mobile';
  return { name, ...(version ? { version } : {}), os, device };
}
