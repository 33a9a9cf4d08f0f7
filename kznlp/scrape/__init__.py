"""The crawler: site adapters as data, discovery (sitemaps, feeds, listings), polite fetching, resumable frontier.

    crawl(db, CrawlOptions(sources=("akorda",), urls=(...)))  ->  CrawlStats
"""

from kznlp.scrape.crawl import CrawlOptions, crawl
from kznlp.scrape.records import CrawlEvent, CrawlStats, FetchFailed, FetchPolicy, Link, Page

__all__ = ["CrawlEvent", "CrawlOptions", "CrawlStats", "FetchFailed", "FetchPolicy", "Link", "Page", "crawl"]
