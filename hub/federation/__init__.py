"""Federation: the publishing API other hubs pull from, and the peer clients it admits."""
