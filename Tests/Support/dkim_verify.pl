#!/usr/bin/perl
# Verifies every DKIM-Signature of messages with Mail::DKIM (Debian libmail-dkim-perl), without DNS.
#
# Usage: dkim_verify.pl --key NAME=RECORD [--key ...] FILE.eml...
# NAME is <selector>._domainkey.<domain>, RECORD the TXT text. The key lookup is replaced by one that answers from
# these records (Mail::DKIM::PublicKey::fetch_async). Prints one line per signature:
# "<file>\t<selector>\t<algorithm>\t<result>[\t<detail>]" where result is Mail::DKIM's (pass, fail, invalid, ...),
# and "<file>\t-\t-\tnone" for a message without a signature. Exit status 0 when every signature passed.
use strict;
use warnings;
use Mail::DKIM::Verifier;
use Mail::DKIM::PublicKey;

my %records;
my @files;
while (@ARGV) {
    my $arg = shift @ARGV;
    if ( $arg eq '--key' ) {
        my ( $name, $record ) = split /=/, shift(@ARGV), 2;
        $name =~ s/\.$//;
        $records{ lc $name } = $record;
    }
    else {
        push @files, $arg;
    }
}

{
    no warnings 'redefine';
    *Mail::DKIM::PublicKey::fetch_async = sub {
        my ( $class, %prms ) = @_;
        my $callbacks  = $prms{Callbacks} || {};
        my $on_success = $callbacks->{Success} || sub { $_[0] };
        my $name       = lc( $prms{Selector} . '._domainkey.' . $prms{Domain} );
        my $result;
        my $error;
        if ( defined $records{$name} ) {
            eval {
                my $key = $class->parse( $records{$name} );
                $key->{Selector} = $prms{Selector};
                $key->{Domain}   = $prms{Domain};
                $key->check;
                $result = $on_success->($key);
                1;
            } or do {
                $error = $@;
                if ( $callbacks->{Error} ) { $callbacks->{Error}->($error) }
            };
        }
        else {
            $result = $on_success->();
        }
        return sub { die $error if defined $error && !$callbacks->{Error}; return $result };
    };
}

my $ok = 1;
for my $path (@files) {
    open my $handle, '<:raw', $path or die "$path: $!\n";
    my $dkim = Mail::DKIM::Verifier->new();
    while ( my $line = <$handle> ) {
        $dkim->PRINT($line);
    }
    close $handle;
    $dkim->CLOSE;
    my @signatures = $dkim->signatures;
    if ( !@signatures ) {
        print "$path\t-\t-\tnone\n";
        $ok = 0;
    }
    for my $signature (@signatures) {
        my $result = $signature->result;
        my $detail = $signature->result_detail;
        print join( "\t", $path, $signature->selector, $signature->algorithm, $result, $detail ), "\n";
        $ok = 0 unless $result eq 'pass';
    }
}
exit( $ok ? 0 : 1 );
