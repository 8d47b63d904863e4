"""majobs collection: Scrapy spiders, pure parsers, pipelines and the SQLite store."""
